/*
 * x400_sample.c - sample messages for the X.400 suites (being written).
 */
