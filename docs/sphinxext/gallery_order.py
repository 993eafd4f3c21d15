"""The gallery follows the lecture: model bias first, practice last."""

from pathlib import Path

LECTURE_ORDER = [
    "plot_model_bias.py",
    "plot_sigmoid_parameters.py",
    "plot_sigmoid_sum.py",
    "plot_parameters.py",
    "plot_mae_vs_mse.py",
    "plot_learning_rate.py",
    "plot_batch_epoch.py",
    "plot_sigmoid_vs_relu.py",
    "plot_depth.py",
    "plot_overfitting.py",
    "plot_dataframe_grid_search.py",
    "plot_raw_dataframe.py",
    "plot_quantile_interval.py",
    "plot_classification.py",
    "plot_learned_features.py",
]


class LectureOrder:
    """Sort key for sphinx-gallery: the listed scripts in order, any others after, by name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = Path(filename).name
        if name in LECTURE_ORDER:
            return (0, LECTURE_ORDER.index(name), name)
        return (1, 0, name)

    def __repr__(self):
        return f"<{self.__class__.__name__}>"
