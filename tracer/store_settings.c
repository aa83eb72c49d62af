/* The engine's own settings in its store (schema 11): the engine-wide bandwidth cap and schedule, kept across a restart. */
#include <sqlite3.h>
#include <stdlib.h>

#include "internal.h"

int store_save_setting(bgcopy_engine *engine, const char *name, const char *value)
{
	sqlite3 *db = store_db(engine);
	sqlite3_stmt *q;
	int status;

	if (!db)
		return BGCOPY_OK;	/* no store: nothing outlives the engine */
	if (sqlite3_prepare_v2(db, "INSERT INTO settings (name, value) VALUES (?, ?)"
			       " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
			       -1, &q, NULL) != SQLITE_OK)
		return set_error(BGCOPY_E_STORE, "cannot record setting %s in store '%s': %s",
				 name, engine->store_dir, sqlite3_errmsg(db));
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	status = store_write(engine, q);
	sqlite3_finalize(q);
	return status;
}

/* NULL when never set (or no store): the engine keeps its default. */
char *store_load_setting(bgcopy_engine *engine, const char *name)
{
	sqlite3 *db = store_db(engine);
	sqlite3_stmt *q;
	char *value = NULL;

	if (!db || sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE name = ?",
				      -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
		value = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return value;
}
