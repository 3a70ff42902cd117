// tests/password/interop.mjs - what Node apps use for passwords, driven by
// check_password's node case (run by tests/password-node.sh):
//   node interop.mjs hash argon2id|bcrypt PASSWORD   prints a new hash
//   node interop.mjs verify PASSWORD HASH            prints true or false
// argon2id is @node-rs/argon2 (its defaults), bcrypt is bcryptjs (cost 10).
import { hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

const [cmd, a, b] = process.argv.slice(2);
if (cmd === 'hash')
    console.log(a === 'bcrypt' ? bcrypt.hashSync(b, 10) : await hash(b));
else if (cmd === 'verify')
    console.log(b.startsWith('$argon2') ? await verify(b, a) : bcrypt.compareSync(a, b));
else
    throw new Error(`usage: interop.mjs hash ALG PASSWORD | verify PASSWORD HASH`);
