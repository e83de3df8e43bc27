#ifndef THREAD_SANITIZER_DEFAULTS_H
#define THREAD_SANITIZER_DEFAULTS_H

/// ThreadSanitizer's built-in suppressions for this program (see thread_sanitizer_defaults.c).
const char *__tsan_default_suppressions(void);

#endif
