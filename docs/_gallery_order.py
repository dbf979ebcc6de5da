"""Reading order of the gallery: signal views first, then each family, then the applications."""

from __future__ import annotations

ORDER = (
    "plot_waveform_spectrogram.py",
    "plot_mel_logmel.py",
    "plot_mfcc_deltas.py",
    "plot_envelopes.py",
    "plot_cepstrum.py",
    "plot_wavelets.py",
    "plot_emd_hilbert.py",
    "plot_bispectrum.py",
    "plot_compare_tf.py",
    "plot_pcg_segmentation.py",
    "plot_ecg_pr.py",
    "plot_ecg_wfdb.py",
    "plot_ecg_pcg.py",
    "plot_cli_batch.py",
    "plot_classifier.py",
)


class ExampleOrder:
    """sphinx-gallery ``within_subsection_order`` key: listed files first, the rest by name."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        return (ORDER.index(filename) if filename in ORDER else len(ORDER), filename)

    def __repr__(self) -> str:  # stable across builds (sphinx-gallery caches on the config)
        return f"<{type(self).__name__}>"
