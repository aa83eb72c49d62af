/* A map from destination paths to the job that holds each, so that adding a file costs the same at 100,000 jobs as at one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* FNV-1a: paths are short and the map only needs a spread. */
static size_t hash(const char *key)
{
	uint64_t h = 14695981039346656037ull;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)h;
}

/* The slot holding `key`, or the empty one where it would go. */
static size_t find_slot(const struct pathmap *m, const char *key)
{
	size_t i = hash(key) & (m->cap - 1);

	while (m->slots[i].key && strcmp(m->slots[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *pathmap_get(const struct pathmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	return m->slots[find_slot(m, key)].value;
}

static int grow(struct pathmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct pathmap bigger = { .slots = xcalloc(cap, sizeof(*m->slots)),
				  .cap = cap };

	if (!bigger.slots)
		return BGCOPY_E_NOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			bigger.slots[find_slot(&bigger, m->slots[i].key)] = m->slots[i];
	bigger.len = m->len;
	free(m->slots);
	*m = bigger;
	return BGCOPY_OK;
}

int pathmap_put(struct pathmap *m, const char *key, void *value)
{
	size_t i;

	assert(key && value);
	/* At most half full, so probes stay short. */
	if ((m->len + 1) * 2 > m->cap && grow(m))
		return BGCOPY_E_NOMEM;
	i = find_slot(m, key);
	if (!m->slots[i].key)
		m->len++;
	m->slots[i] = (struct pathmap_slot){ .key = key, .value = value };
	return BGCOPY_OK;
}

/* Linear probing without tombstones: the entries after the hole that
 * could not sit at their own slot move back into it. */
void pathmap_remove(struct pathmap *m, const char *key, const void *value)
{
	size_t hole, i;

	if (!m->cap)
		return;
	hole = find_slot(m, key);
	if (!m->slots[hole].key || m->slots[hole].value != value)
		return;
	m->slots[hole] = (struct pathmap_slot){ 0 };
	m->len--;
	for (i = (hole + 1) & (m->cap - 1); m->slots[i].key;
	     i = (i + 1) & (m->cap - 1)) {
		size_t home = hash(m->slots[i].key) & (m->cap - 1);

		/* Moves back when its home is not in (hole, i], cyclically. */
		if ((i > hole && (home <= hole || home > i)) ||
		    (i < hole && home <= hole && home > i)) {
			m->slots[hole] = m->slots[i];
			m->slots[i] = (struct pathmap_slot){ 0 };
			hole = i;
		}
	}
}

void pathmap_free(struct pathmap *m)
{
	free(m->slots);
	*m = (struct pathmap){ 0 };
}
