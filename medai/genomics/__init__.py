"""Chapter 5, genomics: DNA sequence models and gene expression -> prognosis.

encoding     one-hot DNA with every IUPAC code (lookup table), reverse complements, decoding
models       1-D CNN, bidirectional GRU, and a strand-symmetric wrapper for one-hot DNA
splice       the GT/AG consensus rule, near-identical twins across splits
kmers        logistic regression on k-mer counts (a baseline that ignores position)
shuffle      controls for composition: GC content, and dinucleotide-preserving shuffles
evaluate     accuracy, the metric the splice table bootstraps (with core.metrics.bootstrap_ci)
interpret    in-silico saturation mutagenesis, first-layer filters as PWMs, motif matching
logos        sequence logos and mutagenesis heat maps (matplotlib + logomaker)
survival     the Cox partial likelihood as a PyTorch loss (Breslow ties), neural Cox, CV C-index
"""
