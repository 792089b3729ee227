/* Loads a text classifier's model file (what `rnnc train` writes) and classifies raw texts:
 * the file holds the vocabulary, label names and text options, so nothing else is needed.
 *   predict_text MODEL.safetensors TEXT...   (docs/api.md, "A model file, raw text in") */
#include <rnnc.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: predict_text MODEL.safetensors TEXT...\n");
        return 2;
    }
    rnnc_classifier *c = NULL;
    if (rnnc_classifier_load(argv[1], &c)) {
        fprintf(stderr, "predict_text: %s\n", rnnc_last_error());
        return 1;
    }
    const char *const *names;
    const int k = rnnc_classifier_labels(c, &names);
    const size_t n = (size_t)(argc - 2);
    float *probs = malloc(n * (size_t)k * sizeof *probs); /* (n, k) */
    if (!probs || rnnc_classifier_predict(c, (const char *const *)argv + 2, n, probs)) {
        fprintf(stderr, "predict_text: %s\n", probs ? rnnc_last_error() : "out of memory");
        free(probs);
        rnnc_classifier_free(c);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        int best = 0;
        for (int j = 1; j < k; j++)
            if (probs[i * (size_t)k + (size_t)j] > probs[i * (size_t)k + (size_t)best])
                best = j;
        printf("%s\t%.4f\t%s\n", names[best], probs[i * (size_t)k + (size_t)best], argv[2 + i]);
    }
    free(probs);
    rnnc_classifier_free(c);
    return 0;
}
