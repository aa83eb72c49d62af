/* Text escaped for the XML and HTML reports. */
#include "report.h"

#include <stdlib.h>

void report_xml_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			/* XML 1.0 has no place for other control bytes. */
			if ((unsigned char) *s >= 0x20 || *s == '\n' ||
			    *s == '\t')
				fputc(*s, out);
		}
	}
}

char *report_finding_text(const struct oracle *o,
			  const struct oracle_finding *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return NULL;
	report_text_finding(o, f, mem);
	if (fclose(mem)) {
		free(text);
		return NULL;
	}
	return text;
}
