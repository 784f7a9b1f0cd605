/*
 * ipm.c - IPM / P772 content (being written).
 */
