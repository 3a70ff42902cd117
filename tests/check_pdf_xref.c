#include "pdf_harness.h"
int main(void) { return 0; }
