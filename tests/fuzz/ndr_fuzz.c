/*
 * ndr_fuzz.c - libFuzzer harness for the non-delivery report builder on
 * whatever the P1 decoder accepts (the guard reports on messages it could
 * not pass, so their facts are hostile).
 *
 * For any input that decodes (BER mode) as a message: building its report
 * either fails with a reason or gives a report that decodes, about that
 * subject, with one to as many per-recipient fields as the subject has
 * recipients; when the input was DER, the report decodes in DER mode too
 * (a BER subject's carried values keep their SET OF order, so only BER is
 * promised for them).  Reports and probes must be refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/x400/ndr.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x400_ndr_params	 p;
	struct x400_dec		 d, dd, dr;
	struct x400_msg		*m, *md, *r;
	struct buf		 out;
	char			 err[512];
	int			 der_ok, rc;

	if (size > 1 << 20)
		return 0;
	if (x400_decode(&d, BER_MODE_BER, NULL, data, size, &m) == -1) {
		x400_dec_free(&d);
		return 0;
	}
	der_ok = x400_decode(&dd, BER_MODE_DER, NULL, data, size, &md) == 0;
	x400_dec_free(&dd);
	x400_ndr_params_init(&p);
	p.mta = "guard1.mod.gb";
	p.domain.country = "GB";
	p.domain.admd = " ";
	p.domain.prmd = "MODHIGH";
	p.time = 1795942800;
	p.reason = X400_NDR_REASON_UNABLE_TO_TRANSFER;
	p.diagnostic = X400_NDR_DIAG_SECURITY_POLICY_VIOLATION;
	p.text = (size > 0 && data[0] & 1) ? "rule \"x\": \xc3\xa9 _y_" : NULL;
	p.return_content = true;
	buf_init(&out, 1 << 24);
	err[0] = '\0';
	rc = x400_ndr_build(m, &p, &out, err, sizeof(err));
	if (m->apdu != X400_APDU_MESSAGE && rc != -1)
		abort();
	if (rc == -1) {
		if (err[0] == '\0' || out.len != 0)
			abort();
	} else {
		if (x400_decode(&dr, der_ok ? BER_MODE_DER : BER_MODE_BER,
		    NULL, out.data, out.len, &r) == -1)
			abort();
		if (r->apdu != X400_APDU_REPORT || r->report.nrcpt == 0 ||
		    r->report.nrcpt > m->env.nrcpt ||
		    strcmp(r->report.subject.local, m->env.id.local) != 0 ||
		    r->report.label.present != m->env.label.present)
			abort();
		x400_dec_free(&dr);
	}
	buf_free(&out);
	x400_dec_free(&d);
	return 0;
}
