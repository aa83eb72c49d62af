/* The check's JUnit XML report: one test case per job. */
#include "report.h"

#include <inttypes.h>

#include "names.h"
#include "checked.h"

static void testcase(const struct oracle *o, const struct oracle_job *j,
		     FILE *out)
{
	size_t k;

	fputs("    <testcase classname=\"bgcopy.contract\" name=\"", out);
	report_xml_escaped(out, j->id);
	fputs(" ", out);
	report_xml_escaped(out, j->name);
	fputs("\">\n", out);
	if (j->verdict == ORACLE_INCONCLUSIVE) {
		fputs("      <skipped message=\"INCONCLUSIVE: ", out);
		report_xml_escaped(out, j->taint ? j->taint : "");
		fputs("\"/>\n", out);
	}
	for (k = 0; j->verdict == ORACLE_FAIL && k < j->n_findings; k++) {
		const struct oracle_finding *f = &j->findings[k];

		if (f->rule > ORACLE_G8_LATE)
			continue;
		fprintf(out, "      <failure type=\"%s\" message=\"",
			oracle_rule_name(f->rule));
		report_xml_escaped(out, f->what);
		fprintf(out, "\">%s %s epoch %" PRIu64 " at %+.3f ms: ",
			oracle_rule_name(f->rule), names_kind(f->kind),
			f->epoch, NAMES_MS(ns_sub(f->ts, oracle_first_ts(o))));
		report_xml_escaped(out, f->what);
		fputs("</failure>\n", out);
	}
	fputs("    </testcase>\n", out);
}

int report_junit(const struct oracle *o, const char *path)
{
	size_t n = oracle_job_count(o), failed = 0, skipped = 0, i;
	FILE *out = fopen(path, "w");

	if (!out)
		return -1;
	for (i = 0; i < n; i++) {
		failed += oracle_job_at(o, i)->verdict == ORACLE_FAIL;
		skipped += oracle_job_at(o, i)->verdict == ORACLE_INCONCLUSIVE;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"bgcopy\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"%zu\">\n"
		"  <testsuite name=\"bgcopy.contract\" tests=\"%zu\" "
		"failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		n, failed, skipped, n, failed, skipped);
	for (i = 0; i < n; i++)
		testcase(o, oracle_job_at(o, i), out);
	fputs("  </testsuite>\n</testsuites>\n", out);
	return fclose(out) ? -1 : 0;
}
