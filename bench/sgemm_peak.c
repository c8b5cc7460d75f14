/* The machine's practical single-precision GEMM peak through the OpenBLAS the engine links.
 *
 *   cc -O2 $(pkg-config --cflags openblas) bench/sgemm_peak.c -o sgemm_peak $(pkg-config --libs openblas)
 *   ./sgemm_peak [threads] [seconds]
 *
 * Square row-major products C = A·B of a few sizes, each repeated for about `seconds`; prints one
 * JSON object with GFLOP/s (2·n³ per product) per size and the best, which bench/compare.py uses
 * as "100 % of sgemm peak". Run it in the same session as the model benchmarks: the load of the
 * machine moves it as much as it moves them.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    static const int sizes[] = {1024, 2048, 3072};
    openblas_set_num_threads(threads);
    double best = 0;
    printf("{\"threads\": %d, \"sizes\": {", threads);
    for (int s = 0; s < 3; s++) {
        int n = sizes[s];
        float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
        for (long i = 0; i < (long)n * n; i++) { a[i] = (float)(i % 7) * 0.1f; b[i] = (float)(i % 5) * 0.1f; c[i] = 0; }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);  /* warm-up */
        double fastest = 1e30, start = now();
        int reps = 0;
        do {
            double t0 = now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
            double t = now() - t0;
            if (t < fastest) fastest = t;
            reps++;
        } while (now() - start < seconds || reps < 3);
        double gflops = 2.0 * n * n * (double)n / fastest / 1e9;
        if (gflops > best) best = gflops;
        printf("%s\"%d\": %.1f", s ? ", " : "", n, gflops);
        free(a); free(b); free(c);
    }
    printf("}, \"best_gflops\": %.1f}\n", best);
    return 0;
}
