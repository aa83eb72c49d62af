/* The check's JUnit XML report: one test case per job. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>

#include "names.h"
#include "checked.h"

/* The finding with its evidence lines, as the text report has it. */
static void finding_body(const struct oracle *o,
			 const struct oracle_finding *f, FILE *out)
{
	char *text = report_finding_text(o, f);

	report_xml_escaped(out, text ? text : f->what);
	free(text);
}

static double seconds(int64_t from, int64_t to)
{
	return (double) ns_sub(to, from) / 1e9;
}

/* Named by the job's display name and short id, which CI lists show. */
static void testcase(const struct oracle *o, const struct oracle_job *j,
		     FILE *out)
{
	size_t k;

	fputs("    <testcase classname=\"bgcopy.contract\" name=\"", out);
	report_xml_escaped(out, j->name);
	fprintf(out, " (%.8s)\" time=\"%.6f\">\n", j->id,
		seconds(j->first_ts, j->last_ts));
	if (j->verdict == ORACLE_INCONCLUSIVE) {
		fputs("      <skipped message=\"INCONCLUSIVE: ", out);
		report_xml_escaped(out, j->taint ? j->taint : "");
		fputs("\">", out);
		for (k = 0; k < j->n_findings; k++)
			finding_body(o, &j->findings[k], out);
		fputs("</skipped>\n", out);
	}
	for (k = 0; j->verdict == ORACLE_FAIL && k < j->n_findings; k++) {
		const struct oracle_finding *f = &j->findings[k];

		if (f->rule > ORACLE_G8_LATE || f->inconclusive)
			continue;
		fprintf(out, "      <failure type=\"%s\" message=\"",
			oracle_rule_name(f->rule));
		report_xml_escaped(out, f->what);
		fputs("\">", out);
		finding_body(o, f, out);
		fputs("</failure>\n", out);
	}
	fprintf(out, "      <system-out>job %s</system-out>\n", j->id);
	fputs("    </testcase>\n", out);
}

int report_junit(const struct oracle *o, const char *path)
{
	size_t n = oracle_job_count(o), failed = 0, skipped = 0, i;
	FILE *out = fopen(path, "w");
	double time;

	if (!out)
		return -1;
	for (i = 0; i < n; i++) {
		failed += oracle_job_at(o, i)->verdict == ORACLE_FAIL;
		skipped += oracle_job_at(o, i)->verdict == ORACLE_INCONCLUSIVE;
	}
	time = seconds(oracle_first_ts(o), oracle_last_ts(o));
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"bgcopy\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"%zu\">\n"
		"  <testsuite name=\"bgcopy.contract\" tests=\"%zu\" "
		"failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
		"time=\"%.6f\">\n",
		n, failed, skipped, n, failed, skipped, time);
	for (i = 0; i < n; i++)
		testcase(o, oracle_job_at(o, i), out);
	fputs("  </testsuite>\n</testsuites>\n", out);
	return fclose(out) ? -1 : 0;
}
