/* A string-keyed hash map (open addressing) that owns its keys. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time: keys are job ids, 36 bytes each. */
static uint64_t hash(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static struct strmap_slot *find(const struct strmap *m, const char *key)
{
	size_t i = hash(key) & (m->cap - 1);

	while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

void *strmap_get(const struct strmap *m, const char *key)
{
	return m->cap ? find(m, key)->value : NULL;
}

static int grow(struct strmap *m)
{
	struct strmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -1;
	}
	for (i = 0; i < old.cap; i++) {
		if (old.slots[i].key)
			*find(m, old.slots[i].key) = old.slots[i];
	}
	free(old.slots);
	return 0;
}

const char *strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_slot *slot;

	/* Keep the load under one half so probes stay short. */
	if ((m->len + 1) * 2 > m->cap && grow(m))
		return NULL;
	slot = find(m, key);
	if (!slot->key) {
		slot->key = strdup(key);
		if (!slot->key)
			return NULL;
		m->len++;
	}
	slot->value = value;
	return slot->key;
}

void strmap_fini(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

void *strmap_get_or_add(struct strmap *m, const char *key, size_t size)
{
	void *value = strmap_get(m, key);

	if (value)
		return value;
	value = calloc(1, size);
	if (!value || !strmap_put(m, key, value)) {
		free(value);
		return NULL;
	}
	return value;
}
