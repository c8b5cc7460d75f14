// OpenBLAS's CBLAS interface (Debian: libopenblas-dev).
#include <cblas.h>
// Thread control, declared by OpenBLAS but not part of CBLAS proper.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
