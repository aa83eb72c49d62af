/* A string-keyed hash map (open addressing); keys are copied, values are
 * the caller's.  Jobs are looked up by UUID text once per event. */
#ifndef BGCOPY_STRMAP_H
#define BGCOPY_STRMAP_H

#include <stddef.h>

struct strmap_slot {
	char *key;
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap;			/* power of two, or 0 */
	size_t len;
};

void *strmap_get(const struct strmap *m, const char *key);
/* Returns the stored copy of the key, or NULL when out of memory. */
const char *strmap_put(struct strmap *m, const char *key, void *value);
/* The value under `key`, or a new zeroed one of `size` bytes put there;
 * NULL when out of memory.  strmap_fini does not free it. */
void *strmap_get_or_add(struct strmap *m, const char *key, size_t size);
void strmap_fini(struct strmap *m);

#endif /* BGCOPY_STRMAP_H */
