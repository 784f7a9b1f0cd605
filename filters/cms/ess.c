/*
 * ess.c - ESS security labels (being written).
 */
