/*
 * unit.h - shared helpers of the CUnit suites.
 */
#ifndef MMGUARD_UNIT_H
#define MMGUARD_UNIT_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

/* Each suite file exports one registration function. */
void	test_buf_register(void);
void	test_ber_dec_register(void);
void	test_ber_prim_register(void);
void	test_ber_enc_register(void);
void	test_json_register(void);
void	test_charset_register(void);
void	test_x400_p1_register(void);
void	test_x400_ipm_register(void);
void	test_ess_register(void);
void	test_spif_register(void);
void	test_dlp_register(void);

/* Register a suite from a NULL-terminated table; aborts on CUnit errors. */
struct unit_test {
	const char	*name;
	void		(*fn)(void);
};
void	unit_add_suite(const char *, const struct unit_test *);

/* Hex text ("30 03 02 01 05", spaces ignored) to bytes; returns length. */
size_t	unit_hex(const char *, uint8_t *, size_t);

#endif
