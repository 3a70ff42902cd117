/*
 * check_config.c - what heft.yaml, --queues and Redis URLs may say, and
 * exactly what a user is told when they get it wrong.
 *
 * Error messages are asserted in full: they are the interface a person
 * fixing a broken config sees, so a changed word should fail a test.
 * Fixtures live in tests/data/config ($HEFT_TEST_DATA/config).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

/* Relative to this file, because automake's -I. would otherwise find the
 * autoconf-generated config.h at the top of the build tree first. */
#include "config.h"
#include <heft/yaml.h>

/* $HEFT_TEST_DATA/config/name, or data/config/name next to this file. */
static void fixture(char *out, size_t size, const char *name)
{
    const char *dir = getenv("HEFT_TEST_DATA");
    const char *slash = strrchr(__FILE__, '/');

    if (dir && *dir)
        snprintf(out, size, "%s/config/%s", dir, name);
    else if (slash)
        snprintf(out, size, "%.*s/data/config/%s", (int)(slash - __FILE__), __FILE__, name);
    else
        snprintf(out, size, "data/config/%s", name);
}

static void load_ok(struct heft_config *cfg, const char *name)
{
    struct heft_config_error err = { { 0 } };
    char path[4096];

    fixture(path, sizeof(path), name);
    ck_assert_int_eq(heft_config_defaults(cfg), 0);
    if (heft_config_load_file(cfg, path, &err) != 0)
        ck_abort_msg("loading %s failed: %s", path, err.msg);
    ck_assert_str_eq(cfg->path, path);
}

/* Loading fixture name fails with "PATH<rest>", e.g. rest ":3: redis.urll: unknown key". */
static void assert_load_fails(const char *name, const char *rest)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };
    char path[4096], want[4608];

    fixture(path, sizeof(path), name);
    snprintf(want, sizeof(want), "%s%s", path, rest);
    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    ck_assert_int_eq(heft_config_load_file(&cfg, path, &err), -1);
    ck_assert_str_eq(err.msg, want);
    heft_config_free(&cfg);
}

/* v is the JSON written in want (compared as values, not text). */
static void assert_json(const json_t *v, const char *want)
{
    json_error_t jerr;
    json_t *w = json_loads(want, JSON_DECODE_ANY, &jerr);
    char *got = json_dumps(v, JSON_ENCODE_ANY | JSON_SORT_KEYS);

    ck_assert_msg(w != NULL, "bad expected JSON %s: %s", want, jerr.text);
    ck_assert_msg(json_equal(v, w), "got %s, expected %s", got, want);
    free(got);
    json_decref(w);
}

/* Load fixture name; the settings of its job type, which must be there. */
static const json_t *settings_of(struct heft_config *cfg, const char *name, const char *type)
{
    const struct heft_type_conf *t;

    load_ok(cfg, name);
    t = heft_config_type(cfg, type);
    ck_assert_msg(t != NULL, "%s names no type %s", name, type);
    ck_assert_ptr_nonnull(t->settings);
    return t->settings;
}

static void assert_default_values(const struct heft_config *cfg)
{
    ck_assert_str_eq(cfg->redis_url, HEFT_DEFAULT_REDIS_URL);
    ck_assert_ptr_null(cfg->redis_username);
    ck_assert_ptr_null(cfg->redis_password);
    ck_assert_int_eq(cfg->connect_timeout_ms, 2000);
    ck_assert_int_eq(cfg->allow_eviction, 0);
    ck_assert_uint_eq(cfg->nqueues, 1);
    ck_assert_str_eq(cfg->queues[0].name, "default");
    ck_assert_uint_eq(cfg->queues[0].weight, 1);
    ck_assert_int_eq(cfg->queue_order, HEFT_ORDER_WEIGHTED);
    ck_assert_uint_eq(cfg->concurrency, 0);
    ck_assert_uint_eq(cfg->prefetch, 16);
    ck_assert_int_eq(cfg->lease_ms, 30000);
    ck_assert_uint_eq(cfg->max_deliveries, 5);
    ck_assert_int_eq(cfg->shutdown_grace_ms, 25000);
    ck_assert_int_eq(cfg->heartbeat_ms, 2000);
    ck_assert_int_eq(cfg->poll_ms, 100);
    ck_assert_uint_eq(cfg->max_payload_bytes, 1048576);
    ck_assert_int_eq(cfg->dead_max_jobs, 10000);
    ck_assert_int_eq(cfg->dead_max_age, 604800);
    ck_assert_int_eq(cfg->log_level, HEFT_LOG_INFO);
    ck_assert_int_eq(cfg->log_format, HEFT_LOG_TEXT);
    ck_assert_uint_eq(cfg->defaults.attempts, 3);
    ck_assert_int_eq(cfg->defaults.timeout_ms, 300000);
    ck_assert_int_eq(cfg->defaults.result_ttl, 86400);
    ck_assert_int_eq(cfg->defaults.backoff_ms, 1000);
    ck_assert_int_eq(cfg->defaults.max_backoff_ms, 3600000);
    ck_assert_uint_eq(cfg->ntypes, 0);
    ck_assert_ptr_null(cfg->metrics_listen);
    ck_assert_int_eq(cfg->metrics_refresh_ms, 5000);
}

/* ---- defaults and good files ------------------------------------------- */

START_TEST(test_config_defaults_serve_queue_default_on_localhost)
{
    struct heft_config cfg;

    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    ck_assert_ptr_null(cfg.path);
    assert_default_values(&cfg);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_full_file_sets_every_key)
{
    struct heft_config cfg;
    const struct heft_type_conf *echo, *thumb;

    load_ok(&cfg, "full.yaml");
    ck_assert_str_eq(cfg.redis_url, "redis://redis.internal:6380/2");
    ck_assert_str_eq(cfg.redis_username, "heft");
    ck_assert_str_eq(cfg.redis_password, "secret");
    ck_assert_int_eq(cfg.connect_timeout_ms, 5000);
    ck_assert_int_eq(cfg.allow_eviction, 1);
    ck_assert_uint_eq(cfg.nqueues, 3);
    ck_assert_str_eq(cfg.queues[0].name, "critical");
    ck_assert_uint_eq(cfg.queues[0].weight, 1);
    ck_assert_str_eq(cfg.queues[1].name, "mail");
    ck_assert_uint_eq(cfg.queues[1].weight, 3);
    ck_assert_str_eq(cfg.queues[2].name, "reports");
    ck_assert_uint_eq(cfg.queues[2].weight, 10);
    ck_assert_int_eq(cfg.queue_order, HEFT_ORDER_STRICT);
    ck_assert_uint_eq(cfg.concurrency, 16);
    ck_assert_uint_eq(cfg.prefetch, 8);
    ck_assert_int_eq(cfg.lease_ms, 60000);
    ck_assert_uint_eq(cfg.max_deliveries, 7);
    ck_assert_int_eq(cfg.shutdown_grace_ms, 10000);
    ck_assert_int_eq(cfg.heartbeat_ms, 3000);
    ck_assert_int_eq(cfg.poll_ms, 250);
    ck_assert_uint_eq(cfg.max_payload_bytes, 2097152);
    ck_assert_int_eq(cfg.dead_max_jobs, 500);
    ck_assert_int_eq(cfg.dead_max_age, 86400);
    ck_assert_int_eq(cfg.log_level, HEFT_LOG_DEBUG);
    ck_assert_int_eq(cfg.log_format, HEFT_LOG_JSON);
    ck_assert_uint_eq(cfg.defaults.attempts, 5);
    ck_assert_int_eq(cfg.defaults.timeout_ms, 60000);
    ck_assert_int_eq(cfg.defaults.result_ttl, 3600);
    ck_assert_int_eq(cfg.defaults.backoff_ms, 500);
    ck_assert_int_eq(cfg.defaults.max_backoff_ms, 60000);
    ck_assert_uint_eq(cfg.ntypes, 2);
    echo = heft_config_type(&cfg, "echo");
    ck_assert_ptr_nonnull(echo);
    ck_assert_uint_eq(echo->max_payload_bytes, 65536);
    ck_assert_int_eq(echo->timeout_ms, 10000);
    ck_assert_int_eq(echo->seal_payload, 1);
    ck_assert_uint_eq(echo->nlimits, 2);
    ck_assert_str_eq(echo->limits[0].name, "pages");
    ck_assert_int_eq(echo->limits[0].value, 500);
    ck_assert_str_eq(echo->limits[1].name, "depth");
    ck_assert_int_eq(echo->limits[1].value, -1);
    thumb = heft_config_type(&cfg, "thumbnail.v2");
    ck_assert_ptr_nonnull(thumb);
    ck_assert_uint_eq(thumb->max_payload_bytes, 0);
    ck_assert_int_eq(thumb->timeout_ms, 0);
    ck_assert_int_eq(thumb->seal_payload, -1);      /* the handler decides */
    ck_assert_uint_eq(thumb->nlimits, 0);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_type_lookup_of_unknown_type_is_null)
{
    struct heft_config cfg;

    load_ok(&cfg, "full.yaml");
    ck_assert_ptr_null(heft_config_type(&cfg, "nosuchtype"));
    ck_assert_ptr_null(heft_config_type(&cfg, "ech"));
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_queues_as_names_get_weight_one)
{
    struct heft_config cfg;

    load_ok(&cfg, "queues-names.yaml");
    ck_assert_uint_eq(cfg.nqueues, 3);
    ck_assert_str_eq(cfg.queues[0].name, "high");
    ck_assert_str_eq(cfg.queues[1].name, "default");
    ck_assert_str_eq(cfg.queues[2].name, "app:low");
    ck_assert_uint_eq(cfg.queues[0].weight, 1);
    ck_assert_uint_eq(cfg.queues[1].weight, 1);
    ck_assert_uint_eq(cfg.queues[2].weight, 1);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_queues_as_maps_take_weights_defaulting_to_one)
{
    struct heft_config cfg;

    load_ok(&cfg, "queues-maps.yaml");
    ck_assert_uint_eq(cfg.nqueues, 3);
    ck_assert_str_eq(cfg.queues[0].name, "high");
    ck_assert_uint_eq(cfg.queues[0].weight, 5);
    ck_assert_str_eq(cfg.queues[1].name, "default");
    ck_assert_uint_eq(cfg.queues[1].weight, 1);
    ck_assert_str_eq(cfg.queues[2].name, "bulk");
    ck_assert_uint_eq(cfg.queues[2].weight, 1000);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_empty_file_keeps_every_default)
{
    struct heft_config cfg;

    load_ok(&cfg, "empty.yaml");
    assert_default_values(&cfg);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_file_of_only_comments_keeps_every_default)
{
    struct heft_config cfg;

    load_ok(&cfg, "comments-only.yaml");
    assert_default_values(&cfg);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_sections_with_keys_commented_out_are_empty)
{
    struct heft_config cfg;
    const struct heft_type_conf *echo;

    load_ok(&cfg, "empty-sections.yaml");
    ck_assert_str_eq(cfg.redis_url, HEFT_DEFAULT_REDIS_URL);
    ck_assert_int_eq(cfg.log_level, HEFT_LOG_INFO);
    echo = heft_config_type(&cfg, "echo");
    ck_assert_ptr_nonnull(echo);
    ck_assert_int_eq(echo->timeout_ms, 0);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_file_overrides_only_the_keys_it_names)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };
    char path[4096];

    fixture(path, sizeof(path), "partial.yaml");
    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    cfg.prefetch = 9;
    ck_assert_int_eq(heft_config_load_file(&cfg, path, &err), 0);
    ck_assert_uint_eq(cfg.concurrency, 2);
    ck_assert_str_eq(cfg.redis_password, "hunter2");
    ck_assert_uint_eq(cfg.prefetch, 9);
    ck_assert_str_eq(cfg.redis_url, HEFT_DEFAULT_REDIS_URL);
    ck_assert_str_eq(cfg.queues[0].name, "default");
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_loading_a_second_file_replaces_path_and_queues)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };
    char path[4096];

    load_ok(&cfg, "full.yaml");
    fixture(path, sizeof(path), "queues-names.yaml");
    ck_assert_int_eq(heft_config_load_file(&cfg, path, &err), 0);
    ck_assert_str_eq(cfg.path, path);
    ck_assert_uint_eq(cfg.nqueues, 3);
    ck_assert_str_eq(cfg.queues[0].name, "high");
    ck_assert_uint_eq(cfg.prefetch, 8);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_unix_socket_url_in_file_is_accepted)
{
    struct heft_config cfg;

    load_ok(&cfg, "unix-url.yaml");
    ck_assert_str_eq(cfg.redis_url, "unix:///run/redis/redis.sock?db=3");
    heft_config_free(&cfg);
}
END_TEST

/* ---- bad files: each error names file, line and key -------------------- */

START_TEST(test_config_missing_file_says_cannot_open)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };
    char path[4096], want[4608];

    fixture(path, sizeof(path), "no-such-file.yaml");
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    ck_assert_int_eq(heft_config_load_file(&cfg, path, &err), -1);
    ck_assert_str_eq(err.msg, want);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_syntax_error_names_file_line_and_libyaml_problem)
{
    assert_load_fails("bad-syntax.yaml",
                      ":5: YAML syntax error: did not find expected ',' or ']'"
                      " (while parsing a flow sequence at line 4)");
}
END_TEST

START_TEST(test_config_invalid_utf8_names_its_line)
{
    assert_load_fails("bad-utf8.yaml", ":3: YAML syntax error: invalid leading UTF-8 octet");
}
END_TEST

START_TEST(test_config_unknown_key_names_file_line_and_key)
{
    assert_load_fails("bad-unknown-key.yaml", ":3: redis.urll: unknown key");
}
END_TEST

START_TEST(test_config_unknown_key_inside_a_job_type_is_left_to_its_handler)
{
    struct heft_config cfg;

    /* Only the handler knows its keys: its init refuses this one (see
     * check_daemon's --check-config test). */
    assert_json(settings_of(&cfg, "bad-type-key.yaml", "echo"), "{\"timeout\": 100}");
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_wrong_type_quotes_the_value_given)
{
    assert_load_fails("bad-wrong-type.yaml",
                      ":7: concurrency: expected an integer, got \"many\"");
}
END_TEST

START_TEST(test_config_quoted_number_is_a_string_not_an_integer)
{
    assert_load_fails("bad-quoted-integer.yaml",
                      ":1: prefetch: expected an integer, got a quoted string \"8\"");
}
END_TEST

START_TEST(test_config_float_is_not_an_integer)
{
    assert_load_fails("bad-float.yaml", ":1: lease_ms: expected an integer, got \"1.5e4\"");
}
END_TEST

START_TEST(test_config_bool_accepts_only_true_false_words)
{
    assert_load_fails("bad-bool.yaml",
                      ":2: redis.allow_eviction: expected true or false, got \"maybe\"");
}
END_TEST

START_TEST(test_config_log_level_lists_the_valid_levels)
{
    assert_load_fails("bad-log-level.yaml",
                      ":3: log.level: must be error, warn, info or debug, got \"verbose\"");
}
END_TEST

START_TEST(test_config_section_given_a_scalar_is_rejected)
{
    assert_load_fails("bad-section-type.yaml",
                      ":1: redis: expected a mapping, got \"redis://127.0.0.1:6379\"");
}
END_TEST

START_TEST(test_config_limit_value_must_be_an_integer)
{
    assert_load_fails("bad-limit-value.yaml",
                      ":5: jobs.types.render.limits.pages: expected an integer, got \"lots\"");
}
END_TEST

START_TEST(test_config_out_of_range_gives_the_allowed_range)
{
    assert_load_fails("bad-out-of-range.yaml",
                      ":4: queues[1].weight: must be an integer from 1 to 1000");
}
END_TEST

START_TEST(test_config_duplicate_queue_is_rejected)
{
    assert_load_fails("bad-duplicate-queue.yaml", ":4: queues[2]: duplicate queue \"mail\"");
}
END_TEST

START_TEST(test_config_bad_queue_name_lists_the_allowed_characters)
{
    assert_load_fails("bad-queue-name.yaml",
                      ":3: queues[1]: bad queue name \"mail queue\": "
                      "use 1 to 64 of A-Z a-z 0-9 _ . : -");
}
END_TEST

START_TEST(test_config_queue_map_without_name_is_rejected)
{
    assert_load_fails("bad-queue-no-name.yaml", ":3: queues[1]: missing name");
}
END_TEST

START_TEST(test_config_empty_queue_list_is_rejected)
{
    assert_load_fails("bad-queues-empty.yaml", ":2: queues: must list at least one queue");
}
END_TEST

START_TEST(test_config_bad_type_name_is_rejected)
{
    assert_load_fails("bad-type-name.yaml",
                      ":4: jobs.types.send mail: type names are 1 to 64 of A-Z a-z 0-9 _ . -");
}
END_TEST

START_TEST(test_config_bad_redis_url_is_reported_at_its_line)
{
    assert_load_fails("bad-url.yaml",
                      ":4: redis.url: unsupported scheme \"http\" (use redis:// or unix://)");
}
END_TEST

START_TEST(test_config_top_level_must_be_a_mapping)
{
    assert_load_fails("bad-not-mapping.yaml",
                      ":2: expected a mapping of settings at the top level, got a list");
}
END_TEST

START_TEST(test_config_duplicate_key_points_at_both_lines)
{
    assert_load_fails("bad-duplicate-key.yaml",
                      ":4: redis.url: duplicate key (first at line 2)");
}
END_TEST

START_TEST(test_config_max_backoff_below_backoff_is_rejected)
{
    assert_load_fails("bad-backoff.yaml",
                      ":4: jobs.defaults: max_backoff_ms (500) must be at least "
                      "backoff_ms (2000)");
}
END_TEST

START_TEST(test_config_second_yaml_document_is_rejected)
{
    assert_load_fails("bad-two-documents.yaml", ":3: only one YAML document is allowed");
}
END_TEST

START_TEST(test_config_failed_load_leaves_config_freeable)
{
    static const char *const bad[] = {
        "bad-duplicate-queue.yaml", "bad-limit-value.yaml", "bad-url.yaml",
        "bad-settings-duplicate.yaml", "bad-queue-no-name.yaml",
    };
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };
    char path[4096];
    size_t i;

    /* One config through several failures: valgrind/ASan catch leaks and
     * double frees; the queues must survive a bad queue list intact. */
    load_ok(&cfg, "full.yaml");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fixture(path, sizeof(path), bad[i]);
        ck_assert_int_eq(heft_config_load_file(&cfg, path, &err), -1);
    }
    ck_assert_uint_eq(cfg.nqueues, 3);
    ck_assert_str_eq(cfg.queues[1].name, "mail");
    ck_assert_str_eq(cfg.redis_url, "redis://redis.internal:6380/2");
    heft_config_free(&cfg);
    heft_config_free(&cfg);
}
END_TEST

/* ---- handler settings -------------------------------------------------- */

START_TEST(test_config_handler_keys_of_a_job_type_become_its_json_settings)
{
    struct heft_config cfg;
    const json_t *st = settings_of(&cfg, "settings.yaml", "pdf.render");

    ck_assert_int_eq(heft_config_type(&cfg, "pdf.render")->timeout_ms, 60000);
    ck_assert_uint_eq(heft_config_type(&cfg, "pdf.render")->nlimits, 1);
    assert_json(json_object_get(st, "fonts"),
                "{\"Roboto\": {\"normal\": \"/fonts/Roboto-Regular.ttf\","
                " \"bold\": \"/fonts/Roboto-Medium.ttf\"}}");
    assert_json(json_object_get(st, "image_dirs"), "[\"/srv/images\", \"/srv/more images\"]");
    assert_json(json_object_get(st, "output"), "\"blob\"");
    assert_json(json_object_get(st, "empty_map"), "{}");
    assert_json(json_object_get(st, "empty_list"), "[]");
    ck_assert_ptr_null(json_object_get(st, "timeout_ms"));
    ck_assert_ptr_null(json_object_get(st, "limits"));
    ck_assert_uint_eq(json_object_size(st), 6);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_plain_scalars_that_read_as_json_become_numbers_bools_or_null)
{
    struct heft_config cfg;
    const json_t *sc = json_object_get(settings_of(&cfg, "settings.yaml", "pdf.render"),
                                       "scalars");

    assert_json(sc, "{\"int\": 42, \"negative\": -7, \"real\": 2.5, \"exp\": 1000.0,"
                " \"quoted_int\": \"42\", \"single_quoted\": \"7\","
                " \"octal_looking\": \"010\", \"hex_looking\": \"0x1f\","
                " \"underscored\": \"1_000\", \"yes_word\": \"yes\", \"on_word\": \"on\","
                " \"true\": true, \"false_caps\": false, \"tilde\": null, \"empty\": null,"
                " \"null_word\": null, \"quoted_null\": \"null\","
                " \"huge\": 1.2345678901234568e29, \"too_huge\": \"1e400\", \"text\": \"hello world\","
                " \"block\": \"two\\nlines\\n\"}");
    ck_assert(json_is_integer(json_object_get(sc, "int")));
    ck_assert(json_is_real(json_object_get(sc, "exp")));
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_settings_record_the_line_of_every_node)
{
    struct heft_config cfg;
    const json_t *lines;

    load_ok(&cfg, "settings.yaml");
    lines = heft_config_type(&cfg, "pdf.render")->settings_lines;
    ck_assert_uint_eq(heft_yaml_line(lines, ""), 4);
    ck_assert_uint_eq(heft_yaml_line(lines, "fonts"), 8);
    ck_assert_uint_eq(heft_yaml_line(lines, "fonts.Roboto"), 9);
    ck_assert_uint_eq(heft_yaml_line(lines, "fonts.Roboto.bold"), 11);
    ck_assert_uint_eq(heft_yaml_line(lines, "image_dirs"), 12);
    ck_assert_uint_eq(heft_yaml_line(lines, "image_dirs[1]"), 14);
    /* A path that is not there is reported at its nearest parent. */
    ck_assert_uint_eq(heft_yaml_line(lines, "fonts.Roboto.italics"), 9);
    ck_assert_uint_eq(heft_yaml_line(lines, "image_dirs[7]"), 12);
    ck_assert_uint_eq(heft_yaml_line(lines, "nosuchkey.x"), 4);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_type_with_only_generic_keys_has_empty_settings)
{
    struct heft_config cfg;

    assert_json(settings_of(&cfg, "full.yaml", "echo"), "{}");
    assert_json(heft_config_type(&cfg, "thumbnail.v2")->settings, "{}");
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_settings_error_names_file_line_and_key_path)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };
    char path[4096], want[4608];

    load_ok(&cfg, "settings.yaml");
    fixture(path, sizeof(path), "settings.yaml");
    heft_config_settings_error(&cfg, "pdf.render", "fonts.Roboto.bold", "no such file", &err);
    snprintf(want, sizeof want, "%s:11: jobs.types.pdf.render.fonts.Roboto.bold: no such file",
             path);
    ck_assert_str_eq(err.msg, want);
    heft_config_settings_error(&cfg, "pdf.render", "", "refused", &err);
    snprintf(want, sizeof want, "%s:4: jobs.types.pdf.render: refused", path);
    ck_assert_str_eq(err.msg, want);
    /* A type the file does not name has no line. */
    heft_config_settings_error(&cfg, "echo", "x", "refused", &err);
    snprintf(want, sizeof want, "%s: jobs.types.echo.x: refused", path);
    ck_assert_str_eq(err.msg, want);
    heft_config_free(&cfg);
    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    heft_config_settings_error(&cfg, "echo", "", "refused", &err);
    ck_assert_str_eq(err.msg, "jobs.types.echo: refused");
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_duplicate_key_deep_in_settings_points_at_both_lines)
{
    assert_load_fails("bad-settings-duplicate.yaml",
                      ":7: jobs.types.pdf.render.fonts.Roboto.bold: duplicate key (first at line 6)");
}
END_TEST

START_TEST(test_config_settings_alias_loop_is_nested_too_deeply)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };
    char path[4096], want[4608];

    /* An alias inside its own anchor is a loop libyaml accepts. */
    fixture(path, sizeof(path), "bad-settings-alias-loop.yaml");
    snprintf(want, sizeof want, "%s:4: jobs.types.pdf.render.loop[1][1][1]", path);
    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    ck_assert_int_eq(heft_config_load_file(&cfg, path, &err), -1);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "]: nested too deeply (at most 64 levels)"), "%s", err.msg);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_settings_keys_must_be_plain_strings)
{
    assert_load_fails("bad-settings-key.yaml",
                      ":5: jobs.types.pdf.render.fonts: keys must be plain strings");
}
END_TEST

START_TEST(test_yaml_parse_gives_json_and_lines_or_the_line_of_the_error)
{
    static const char doc[] = "content:\n  - text: a\n  - 12\npageSize: A4\n";
    struct heft_yaml_error err;
    json_t *lines = NULL, *v;

    v = heft_yaml_parse(doc, strlen(doc), &lines, &err);
    ck_assert_ptr_nonnull(v);
    assert_json(v, "{\"content\": [{\"text\": \"a\"}, 12], \"pageSize\": \"A4\"}");
    ck_assert_uint_eq(heft_yaml_line(lines, "content[0].text"), 2);
    ck_assert_uint_eq(heft_yaml_line(lines, "content[1]"), 3);
    ck_assert_uint_eq(heft_yaml_line(lines, "pageSize"), 4);
    json_decref(v);
    json_decref(lines);

    v = heft_yaml_parse("", 0, NULL, &err);
    ck_assert(json_is_null(v));
    json_decref(v);

    ck_assert_ptr_null(heft_yaml_parse("a: [1,\nb: 2\n", 12, &lines, &err));
    ck_assert_ptr_null(lines);
    ck_assert_uint_eq(err.line, 3);
    ck_assert_msg(strstr(err.msg, "YAML syntax error") != NULL, "%s", err.msg);

    ck_assert_ptr_null(heft_yaml_parse("a: 1\n---\nb: 2\n", 14, NULL, &err));
    ck_assert_uint_eq(err.line, 3);
    ck_assert_str_eq(err.msg, "only one YAML document is allowed");
}
END_TEST

/* ---- --queues ---------------------------------------------------------- */

START_TEST(test_config_queues_flag_takes_names_and_weights)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };

    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    ck_assert_int_eq(heft_config_set_queues(&cfg, "a,b:3,c", &err), 0);
    ck_assert_uint_eq(cfg.nqueues, 3);
    ck_assert_str_eq(cfg.queues[0].name, "a");
    ck_assert_uint_eq(cfg.queues[0].weight, 1);
    ck_assert_str_eq(cfg.queues[1].name, "b");
    ck_assert_uint_eq(cfg.queues[1].weight, 3);
    ck_assert_str_eq(cfg.queues[2].name, "c");
    ck_assert_uint_eq(cfg.queues[2].weight, 1);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_queues_flag_weight_follows_the_last_colon)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };

    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    ck_assert_int_eq(heft_config_set_queues(&cfg, "app:mail:2", &err), 0);
    ck_assert_uint_eq(cfg.nqueues, 1);
    ck_assert_str_eq(cfg.queues[0].name, "app:mail");
    ck_assert_uint_eq(cfg.queues[0].weight, 2);
    heft_config_free(&cfg);
}
END_TEST

/* heft_config_set_queues(list) fails with want and leaves the queues alone. */
static void assert_queues_flag_fails(const char *list, const char *want)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };

    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    ck_assert_int_eq(heft_config_set_queues(&cfg, list, &err), -1);
    ck_assert_str_eq(err.msg, want);
    ck_assert_uint_eq(cfg.nqueues, 1);
    ck_assert_str_eq(cfg.queues[0].name, "default");
    heft_config_free(&cfg);
}

START_TEST(test_config_queues_flag_rejects_bad_weight)
{
    assert_queues_flag_fails("a,b:x", "--queues: bad weight \"x\" for queue \"b\": "
                                      "must be an integer from 1 to 1000");
    assert_queues_flag_fails("a:0", "--queues: bad weight \"0\" for queue \"a\": "
                                    "must be an integer from 1 to 1000");
    assert_queues_flag_fails("a:1001", "--queues: bad weight \"1001\" for queue \"a\": "
                                       "must be an integer from 1 to 1000");
    assert_queues_flag_fails("a:", "--queues: bad weight \"\" for queue \"a\": "
                                   "must be an integer from 1 to 1000");
}
END_TEST

START_TEST(test_config_queues_flag_rejects_bad_and_empty_names)
{
    assert_queues_flag_fails("a,b c", "--queues: bad queue name \"b c\": "
                                      "use 1 to 64 of A-Z a-z 0-9 _ . : -");
    assert_queues_flag_fails("a,,b", "--queues: empty queue name");
    assert_queues_flag_fails(":3", "--queues: empty queue name");
    assert_queues_flag_fails("", "--queues: no queues given");
}
END_TEST

START_TEST(test_config_queues_flag_rejects_duplicates)
{
    assert_queues_flag_fails("a,b,a:2", "--queues: duplicate queue \"a\"");
}
END_TEST

START_TEST(test_config_queues_flag_rejects_more_than_max_queues)
{
    char list[HEFT_MAX_QUEUES * 8 + 16];
    size_t n = 0;
    int i;

    for (i = 0; i <= HEFT_MAX_QUEUES; i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%sq%d", i ? "," : "", i);
    assert_queues_flag_fails(list, "--queues: too many queues (at most 64)");
}
END_TEST

/* ---- Redis URLs -------------------------------------------------------- */

START_TEST(test_url_tcp_with_user_password_port_and_db)
{
    struct heft_redis_addr a;
    char err[256] = "";

    ck_assert_int_eq(heft_redis_url_parse("redis://heft:s3cret@redis.local:6380/2", &a, err,
                                          sizeof(err)), 0);
    ck_assert_str_eq(a.host, "redis.local");
    ck_assert_int_eq(a.port, 6380);
    ck_assert_ptr_null(a.socket);
    ck_assert_int_eq(a.db, 2);
    ck_assert_str_eq(a.username, "heft");
    ck_assert_str_eq(a.password, "s3cret");
    heft_redis_addr_free(&a);
}
END_TEST

START_TEST(test_url_tcp_defaults_to_port_6379_and_db_0)
{
    struct heft_redis_addr a;
    char err[256] = "";

    ck_assert_int_eq(heft_redis_url_parse("redis://127.0.0.1", &a, err, sizeof(err)), 0);
    ck_assert_str_eq(a.host, "127.0.0.1");
    ck_assert_int_eq(a.port, 6379);
    ck_assert_int_eq(a.db, 0);
    ck_assert_ptr_null(a.username);
    ck_assert_ptr_null(a.password);
    heft_redis_addr_free(&a);
    ck_assert_int_eq(heft_redis_url_parse(HEFT_DEFAULT_REDIS_URL "/", &a, err, sizeof(err)), 0);
    ck_assert_int_eq(a.db, 0);
    heft_redis_addr_free(&a);
}
END_TEST

START_TEST(test_url_password_without_user_and_percent_encoding)
{
    struct heft_redis_addr a;
    char err[256] = "";

    ck_assert_int_eq(heft_redis_url_parse("redis://:p%40ss%3Aw0rd@localhost/1", &a, err,
                                          sizeof(err)), 0);
    ck_assert_ptr_null(a.username);
    ck_assert_str_eq(a.password, "p@ss:w0rd");
    ck_assert_str_eq(a.host, "localhost");
    ck_assert_int_eq(a.db, 1);
    heft_redis_addr_free(&a);
}
END_TEST

START_TEST(test_url_ipv6_host_in_brackets)
{
    struct heft_redis_addr a;
    char err[256] = "";

    ck_assert_int_eq(heft_redis_url_parse("redis://[::1]:7000/3", &a, err, sizeof(err)), 0);
    ck_assert_str_eq(a.host, "::1");
    ck_assert_int_eq(a.port, 7000);
    ck_assert_int_eq(a.db, 3);
    heft_redis_addr_free(&a);
}
END_TEST

START_TEST(test_url_unix_socket_with_db)
{
    struct heft_redis_addr a;
    char err[256] = "";

    ck_assert_int_eq(heft_redis_url_parse("unix:///run/redis.sock?db=2", &a, err, sizeof(err)),
                     0);
    ck_assert_ptr_null(a.host);
    ck_assert_str_eq(a.socket, "/run/redis.sock");
    ck_assert_int_eq(a.db, 2);
    heft_redis_addr_free(&a);
    ck_assert_int_eq(heft_redis_url_parse("unix:/run/redis.sock", &a, err, sizeof(err)), 0);
    ck_assert_str_eq(a.socket, "/run/redis.sock");
    ck_assert_int_eq(a.db, 0);
    heft_redis_addr_free(&a);
}
END_TEST

static void assert_url_fails(const char *url, const char *want)
{
    struct heft_redis_addr a;
    char err[256] = "";

    ck_assert_int_eq(heft_redis_url_parse(url, &a, err, sizeof(err)), -1);
    ck_assert_str_eq(err, want);
    ck_assert_ptr_null(a.host);
    ck_assert_ptr_null(a.password);
    heft_redis_addr_free(&a);
}

START_TEST(test_url_unsupported_scheme_names_the_scheme)
{
    assert_url_fails("http://localhost:6379",
                     "unsupported scheme \"http\" (use redis:// or unix://)");
    assert_url_fails("localhost:6379", "not a URL: use redis://HOST[:PORT][/DB] or unix:///PATH");
}
END_TEST

START_TEST(test_url_rediss_explains_tls_is_not_built_in)
{
    assert_url_fails("rediss://localhost:6380",
                     "TLS (rediss://) needs hiredis with TLS support, which this build lacks");
}
END_TEST

START_TEST(test_url_bad_port_db_and_host_say_what_is_wrong)
{
    assert_url_fails("redis://:pw@localhost:65536", "bad port \"65536\" (must be 1 to 65535)");
    assert_url_fails("redis://localhost:abc", "bad port \"abc\" (must be 1 to 65535)");
    assert_url_fails("redis://localhost/x", "bad db number \"x\"");
    assert_url_fails("unix:///run/redis.sock?db=-1", "bad db number \"-1\"");
    assert_url_fails("redis:///0", "missing host");
    assert_url_fails("redis://::1/0",
                     "bad host \"::1\" (put IPv6 addresses in brackets: [::1]:6379)");
    assert_url_fails("redis://user@localhost",
                     "user info needs a ':' (write user:password@ or :password@)");
    assert_url_fails("redis://:bad%zz@localhost", "bad percent-encoding in the password");
    assert_url_fails("unix://run/redis.sock",
                     "the socket path must be absolute, as in unix:///run/redis.sock");
    assert_url_fails("unix:///run/redis.sock?timeout=5",
                     "unknown parameter \"timeout=5\" (only ?db=N is supported)");
}
END_TEST

/* ---- metrics: and listen addresses ------------------------------------- */

START_TEST(test_config_metrics_listen_and_refresh_are_read_from_the_file)
{
    struct heft_config cfg;

    load_ok(&cfg, "metrics.yaml");
    ck_assert_str_eq(cfg.metrics_listen, "[::1]:9464");
    ck_assert_int_eq(cfg.metrics_refresh_ms, 1000);
    heft_config_free(&cfg);
    load_ok(&cfg, "metrics-port.yaml");
    ck_assert_str_eq(cfg.metrics_listen, "9100");
    ck_assert_int_eq(cfg.metrics_refresh_ms, 5000);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_bad_metrics_keys_name_file_line_and_key)
{
    assert_load_fails("bad-metrics-host.yaml",
                      ":3: metrics.listen: bad listen address \"localhost:9464\": not an IPv4 "
                      "address (host names are not resolved: write 127.0.0.1)");
    assert_load_fails("bad-metrics-port.yaml",
                      ":2: metrics.listen: bad listen address \"127.0.0.1:70000\": the port "
                      "must be 1 to 65535");
    assert_load_fails("bad-metrics-v6.yaml",
                      ":2: metrics.listen: bad listen address \"::1:9464\": expected "
                      "IPv4:PORT, [IPv6]:PORT (IPv6 in brackets) or a port");
    assert_load_fails("bad-metrics-refresh.yaml",
                      ":3: metrics.refresh_ms: must be an integer from 100 to 3600000");
    assert_load_fails("bad-metrics-list.yaml",
                      ":2: metrics.listen: expected a string, got a list");
    assert_load_fails("bad-metrics-key.yaml", ":2: metrics.port: unknown key");
}
END_TEST

/* s parses to family, address text and port. */
static void assert_listen(const char *s, int family, const char *addr, int port)
{
    struct heft_listen_addr a;
    char err[256] = "", text[INET6_ADDRSTRLEN];
    const void *raw;

    ck_assert_msg(heft_listen_parse(s, &a, err, sizeof(err)) == 0, "%s: %s", s, err);
    ck_assert_int_eq(a.ss.ss_family, family);
    ck_assert_int_eq(a.port, port);
    if (family == AF_INET) {
        raw = &((struct sockaddr_in *)&a.ss)->sin_addr;
        ck_assert_int_eq(ntohs(((struct sockaddr_in *)&a.ss)->sin_port), port);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in));
    } else {
        raw = &((struct sockaddr_in6 *)&a.ss)->sin6_addr;
        ck_assert_int_eq(ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port), port);
        ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in6));
    }
    ck_assert_ptr_nonnull(inet_ntop(family, raw, text, sizeof(text)));
    ck_assert_str_eq(text, addr);
}

START_TEST(test_listen_takes_ipv4_bracketed_ipv6_or_a_port_on_loopback)
{
    assert_listen("127.0.0.1:9464", AF_INET, "127.0.0.1", 9464);
    assert_listen("0.0.0.0:80", AF_INET, "0.0.0.0", 80);
    assert_listen("[::1]:9464", AF_INET6, "::1", 9464);
    assert_listen("[::]:65535", AF_INET6, "::", 65535);
    assert_listen("9464", AF_INET, "127.0.0.1", 9464);
}
END_TEST

static void assert_listen_fails(const char *s, const char *why)
{
    struct heft_listen_addr a;
    char err[256] = "", want[256];

    snprintf(want, sizeof(want), "bad listen address \"%s\": %s", s, why);
    ck_assert_int_eq(heft_listen_parse(s, &a, err, sizeof(err)), -1);
    ck_assert_str_eq(err, want);
}

START_TEST(test_listen_bad_addresses_say_what_is_wrong)
{
    const char *form = "expected IPv4:PORT, [IPv6]:PORT (IPv6 in brackets) or a port";
    const char *range = "the port must be 1 to 65535";

    assert_listen_fails("", "expected IPv4:PORT, [IPv6]:PORT or a port");
    assert_listen_fails("127.0.0.1", form);
    assert_listen_fails("[::1]", form);
    assert_listen_fails("[::1]9464", form);
    assert_listen_fails("0", range);
    assert_listen_fails("65536", range);
    assert_listen_fails("127.0.0.1:", range);
    assert_listen_fails("127.0.0.1:http", range);
    assert_listen_fails(":9464", "not an IPv4 address (host names are not resolved: write "
                                 "127.0.0.1)");
    assert_listen_fails("[nope]:9464", "not an IPv6 address");
    assert_listen_fails("256.0.0.1:9464", "not an IPv4 address (host names are not resolved: "
                                          "write 127.0.0.1)");
}
END_TEST

/* ---- heft_config_finish ------------------------------------------------ */

START_TEST(test_config_finish_turns_concurrency_0_into_online_cores)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    ck_assert_int_eq(heft_config_finish(&cfg, &err), 0);
    ck_assert_uint_ge(cfg.concurrency, 1);
    if (cores >= 1 && cores <= 1024)
        ck_assert_uint_eq(cfg.concurrency, (unsigned)cores);
    cfg.concurrency = 3;
    ck_assert_int_eq(heft_config_finish(&cfg, &err), 0);
    ck_assert_uint_eq(cfg.concurrency, 3);
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_finish_rejects_bad_url_from_environment)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };

    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    free(cfg.redis_url);
    cfg.redis_url = strdup("rediss://cache:6380");
    ck_assert_ptr_nonnull(cfg.redis_url);
    ck_assert_int_eq(heft_config_finish(&cfg, &err), -1);
    ck_assert_str_eq(err.msg, "redis url: TLS (rediss://) needs hiredis with TLS support, "
                              "which this build lacks");
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_finish_rejects_a_bad_metrics_address_from_a_flag)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };

    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    cfg.metrics_listen = strdup("localhost");
    ck_assert_ptr_nonnull(cfg.metrics_listen);
    ck_assert_int_eq(heft_config_finish(&cfg, &err), -1);
    ck_assert_str_eq(err.msg, "metrics.listen: bad listen address \"localhost\": expected "
                              "IPv4:PORT, [IPv6]:PORT (IPv6 in brackets) or a port");
    heft_config_free(&cfg);
}
END_TEST

START_TEST(test_config_finish_rejects_max_backoff_below_backoff)
{
    struct heft_config cfg;
    struct heft_config_error err = { { 0 } };

    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    cfg.defaults.backoff_ms = 5000;
    cfg.defaults.max_backoff_ms = 4000;
    ck_assert_int_eq(heft_config_finish(&cfg, &err), -1);
    ck_assert_str_eq(err.msg,
                     "jobs.defaults: max_backoff_ms (4000) must be at least backoff_ms (5000)");
    heft_config_free(&cfg);
}
END_TEST

static TCase *good_files_tcase(void)
{
    TCase *tc = tcase_create("good files");

    tcase_add_test(tc, test_config_defaults_serve_queue_default_on_localhost);
    tcase_add_test(tc, test_config_full_file_sets_every_key);
    tcase_add_test(tc, test_config_type_lookup_of_unknown_type_is_null);
    tcase_add_test(tc, test_config_queues_as_names_get_weight_one);
    tcase_add_test(tc, test_config_queues_as_maps_take_weights_defaulting_to_one);
    tcase_add_test(tc, test_config_empty_file_keeps_every_default);
    tcase_add_test(tc, test_config_file_of_only_comments_keeps_every_default);
    tcase_add_test(tc, test_config_sections_with_keys_commented_out_are_empty);
    tcase_add_test(tc, test_config_file_overrides_only_the_keys_it_names);
    tcase_add_test(tc, test_config_loading_a_second_file_replaces_path_and_queues);
    tcase_add_test(tc, test_config_unix_socket_url_in_file_is_accepted);
    return tc;
}

static TCase *bad_files_tcase(void)
{
    TCase *tc = tcase_create("bad files");

    tcase_add_test(tc, test_config_missing_file_says_cannot_open);
    tcase_add_test(tc, test_config_syntax_error_names_file_line_and_libyaml_problem);
    tcase_add_test(tc, test_config_invalid_utf8_names_its_line);
    tcase_add_test(tc, test_config_unknown_key_names_file_line_and_key);
    tcase_add_test(tc, test_config_unknown_key_inside_a_job_type_is_left_to_its_handler);
    tcase_add_test(tc, test_config_handler_keys_of_a_job_type_become_its_json_settings);
    tcase_add_test(tc, test_config_plain_scalars_that_read_as_json_become_numbers_bools_or_null);
    tcase_add_test(tc, test_config_settings_record_the_line_of_every_node);
    tcase_add_test(tc, test_config_type_with_only_generic_keys_has_empty_settings);
    tcase_add_test(tc, test_config_settings_error_names_file_line_and_key_path);
    tcase_add_test(tc, test_config_duplicate_key_deep_in_settings_points_at_both_lines);
    tcase_add_test(tc, test_config_settings_alias_loop_is_nested_too_deeply);
    tcase_add_test(tc, test_config_settings_keys_must_be_plain_strings);
    tcase_add_test(tc, test_yaml_parse_gives_json_and_lines_or_the_line_of_the_error);
    tcase_add_test(tc, test_config_wrong_type_quotes_the_value_given);
    tcase_add_test(tc, test_config_quoted_number_is_a_string_not_an_integer);
    tcase_add_test(tc, test_config_float_is_not_an_integer);
    tcase_add_test(tc, test_config_bool_accepts_only_true_false_words);
    tcase_add_test(tc, test_config_log_level_lists_the_valid_levels);
    tcase_add_test(tc, test_config_section_given_a_scalar_is_rejected);
    tcase_add_test(tc, test_config_limit_value_must_be_an_integer);
    tcase_add_test(tc, test_config_out_of_range_gives_the_allowed_range);
    tcase_add_test(tc, test_config_duplicate_queue_is_rejected);
    tcase_add_test(tc, test_config_bad_queue_name_lists_the_allowed_characters);
    tcase_add_test(tc, test_config_queue_map_without_name_is_rejected);
    tcase_add_test(tc, test_config_empty_queue_list_is_rejected);
    tcase_add_test(tc, test_config_bad_type_name_is_rejected);
    tcase_add_test(tc, test_config_bad_redis_url_is_reported_at_its_line);
    tcase_add_test(tc, test_config_top_level_must_be_a_mapping);
    tcase_add_test(tc, test_config_duplicate_key_points_at_both_lines);
    tcase_add_test(tc, test_config_max_backoff_below_backoff_is_rejected);
    tcase_add_test(tc, test_config_second_yaml_document_is_rejected);
    tcase_add_test(tc, test_config_failed_load_leaves_config_freeable);
    return tc;
}

static TCase *queues_flag_tcase(void)
{
    TCase *tc = tcase_create("--queues");

    tcase_add_test(tc, test_config_queues_flag_takes_names_and_weights);
    tcase_add_test(tc, test_config_queues_flag_weight_follows_the_last_colon);
    tcase_add_test(tc, test_config_queues_flag_rejects_bad_weight);
    tcase_add_test(tc, test_config_queues_flag_rejects_bad_and_empty_names);
    tcase_add_test(tc, test_config_queues_flag_rejects_duplicates);
    tcase_add_test(tc, test_config_queues_flag_rejects_more_than_max_queues);
    return tc;
}

static TCase *redis_url_tcase(void)
{
    TCase *tc = tcase_create("redis url");

    tcase_add_test(tc, test_url_tcp_with_user_password_port_and_db);
    tcase_add_test(tc, test_url_tcp_defaults_to_port_6379_and_db_0);
    tcase_add_test(tc, test_url_password_without_user_and_percent_encoding);
    tcase_add_test(tc, test_url_ipv6_host_in_brackets);
    tcase_add_test(tc, test_url_unix_socket_with_db);
    tcase_add_test(tc, test_url_unsupported_scheme_names_the_scheme);
    tcase_add_test(tc, test_url_rediss_explains_tls_is_not_built_in);
    tcase_add_test(tc, test_url_bad_port_db_and_host_say_what_is_wrong);
    return tc;
}

static TCase *finish_tcase(void)
{
    TCase *tc = tcase_create("finish");

    tcase_add_test(tc, test_config_finish_turns_concurrency_0_into_online_cores);
    tcase_add_test(tc, test_config_finish_rejects_bad_url_from_environment);
    tcase_add_test(tc, test_config_finish_rejects_max_backoff_below_backoff);
    tcase_add_test(tc, test_config_finish_rejects_a_bad_metrics_address_from_a_flag);
    return tc;
}

static TCase *metrics_tcase(void)
{
    TCase *tc = tcase_create("metrics");

    tcase_add_test(tc, test_config_metrics_listen_and_refresh_are_read_from_the_file);
    tcase_add_test(tc, test_config_bad_metrics_keys_name_file_line_and_key);
    tcase_add_test(tc, test_listen_takes_ipv4_bracketed_ipv6_or_a_port_on_loopback);
    tcase_add_test(tc, test_listen_bad_addresses_say_what_is_wrong);
    return tc;
}

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");

    suite_add_tcase(s, good_files_tcase());
    suite_add_tcase(s, bad_files_tcase());
    suite_add_tcase(s, queues_flag_tcase());
    suite_add_tcase(s, redis_url_tcase());
    suite_add_tcase(s, finish_tcase());
    suite_add_tcase(s, metrics_tcase());
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
