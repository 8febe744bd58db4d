#include "allocator_support.h"
// Any libc header first: it is what defines __GLIBC__.
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

bool sb_allocator_read(sb_allocator_figures *figures) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 info = mallinfo2();
    figures->in_use = info.uordblks + info.hblkhd;
    figures->free_held = info.fordblks;
    figures->mmapped = info.hblkhd;
    return true;
#else
    (void)figures;
    return false;
#endif
}
