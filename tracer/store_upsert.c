/* A row saved again is updated where it lies: the conflict clause that turns a store INSERT into an upsert. */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * INSERT OR REPLACE deletes the old row and inserts a new one under a new
 * rowid: every save of a job or a file rewrote the row's old and new
 * table pages and each of the table's indexes (five pages written per
 * finished file).  An upsert rewrites the row in place and leaves alone
 * the indexes whose columns it does not set: the key and the columns
 * named in `keep`.  The SET list comes from the table itself, so a
 * column a migration adds is saved with no change here.
 */

static bool listed(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

/* `insert` followed by ON CONFLICT (key...) DO UPDATE SET c=excluded.c
 * for every column of `table` but the `key` and `keep` ones (both NULL
 * terminated); NULL, with db's error, when the table cannot be read. */
char *store_upsert_sql(sqlite3 *db, const char *insert, const char *table,
		       const char *const *key, const char *const *keep)
{
	sqlite3_stmt *cols = NULL;
	char *select = NULL, *sql = NULL;
	size_t len = 0;
	FILE *out;

	if (asprintf(&select, "SELECT * FROM %s LIMIT 0", table) < 0)
		return NULL;
	if (sqlite3_prepare_v2(db, select, -1, &cols, NULL) != SQLITE_OK)
		goto end;
	out = open_memstream(&sql, &len);
	if (!out)
		goto end;
	fprintf(out, "%s ON CONFLICT (", insert);
	for (const char *const *k = key; *k; k++)
		fprintf(out, "%s%s", k == key ? "" : ",", *k);
	fputs(") DO UPDATE SET ", out);
	for (int i = 0, n = 0; i < sqlite3_column_count(cols); i++) {
		const char *c = sqlite3_column_name(cols, i);

		if (!listed(c, key) && !listed(c, keep))
			fprintf(out, "%s%s=excluded.%s", n++ ? "," : "", c, c);
	}
	if (fclose(out) != 0) {
		free(sql);
		sql = NULL;
	}
end:
	sqlite3_finalize(cols);
	free(select);
	return sql;
}
