/*
 * version.c — the linked library's version string.
 */
#include "cairn/version.h"

const char *cairn_version(void) { return CAIRN_VERSION_STRING; }
