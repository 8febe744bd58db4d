#ifndef SIGNALBOX_ALLOCATOR_SUPPORT_H
#define SIGNALBOX_ALLOCATOR_SUPPORT_H
#include <stddef.h>
#include <stdbool.h>
// What the C allocator holds, for the console's memory report (issue #15): Swift's Glibc
// module does not include <malloc.h>. Without glibc the figures are unavailable.

typedef struct {
    size_t in_use;     // allocated and not freed, mmapped blocks included
    size_t free_held;  // freed and kept by the allocator (not returned to the system)
    size_t mmapped;    // in blocks of their own (returned to the system when freed)
} sb_allocator_figures;

/// Fills `figures` (glibc's mallinfo2, summed over its arenas); false without glibc.
bool sb_allocator_read(sb_allocator_figures *figures);
#endif
