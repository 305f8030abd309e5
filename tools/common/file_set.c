#include "file_set.h"

#include <stdint.h>
#include <stdlib.h>

struct file_id {
    dev_t dev;
    ino_t ino;
    bool used;
};

static size_t slot_of(const struct file_set *s, dev_t dev, ino_t ino)
{
    uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15u) ^ ((uint64_t)dev * 0xc2b2ae3d27d4eb4fu);
    return (size_t)(h ^ (h >> 29)) & (s->cap - 1);
}

static bool put(struct file_set *s, dev_t dev, ino_t ino)
{
    size_t i = slot_of(s, dev, ino);
    while (s->slots[i].used) {
        if (s->slots[i].dev == dev && s->slots[i].ino == ino)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->slots[i] = (struct file_id){.dev = dev, .ino = ino, .used = true};
    s->count++;
    return true;
}

int file_set_add(struct file_set *s, const struct stat *st)
{
    if (s->count * 2 >= s->cap) { /* keep it at most half full */
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct file_id *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return -1;
        struct file_set grown = {.slots = slots, .cap = cap};
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i].used)
                put(&grown, s->slots[i].dev, s->slots[i].ino);
        free(s->slots);
        *s = grown;
    }
    return put(s, st->st_dev, st->st_ino) ? 1 : 0;
}

void file_set_free(struct file_set *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->count = 0;
}
