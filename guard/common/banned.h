/*
 * banned.h - functions the project refuses to call.
 *
 * The build force-includes this header into every project translation unit
 * (-include guard/common/banned.h).  It first pulls in the system headers that
 * declare the banned functions, so that their declarations (and the fortified
 * wrappers glibc defines there) are seen before the names are poisoned; any
 * later use in project code is then a compile error in gcc and clang alike.
 *
 * Why each is banned:
 *   strcpy, strcat      no bound on the destination: use strlcpy-style code
 *                       with an explicit size (snprintf, memcpy after a check)
 *   sprintf, vsprintf   same: use snprintf/vsnprintf and check the result
 *   gets                cannot be used safely at all
 *   strtok              hidden static state, not reentrant: use strtok_r or a
 *                       cursor over a bounded buffer
 */
#ifndef MMGUARD_BANNED_H
#define MMGUARD_BANNED_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#pragma GCC poison strcpy strcat sprintf vsprintf gets strtok

#endif
