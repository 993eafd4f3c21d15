"""
Batch and epoch: how many updates?
==================================

Mini-batch training splits the N training samples into batches (批次) of B
samples. Each batch k gives its own loss Lᵏ and one update
``θ ← θ − η ∇Lᵏ(θ)``; one pass over all batches is an **epoch** (轮次). So
one epoch makes

.. math::

    \\lceil N / B \\rceil

updates, and ``n_updates_`` counts them: ``epochs × ⌈N / B⌉`` for a fresh fit
(``batch_size`` is B, ``epochs`` the number of passes).
"""

# %%
# The lecture's two questions, computed
# -------------------------------------
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_sigmoidnet import LossCurveDisplay, SigmoidNetRegressor

for n_samples, batch_size in ((10_000, 10), (10_000, 100), (1_000, 100)):
    updates = math.ceil(n_samples / batch_size)
    print(f"N = {n_samples:>6,}, B = {batch_size:>3}: {updates:>5,} updates per epoch")

# %%
# The first two are the lecture's examples: with N = 10,000 samples a batch
# size of 10 gives 1,000 updates per epoch, and a batch size of 100 gives
# 100. Ten updates per epoch would need only N = 1,000 samples.
#
# Training on N = 10,000 with each batch size
# -------------------------------------------
# Plain gradient descent (``solver="sgd"``, no momentum), the same η. With
# B = 10 ten epochs already make 10,000 updates; B = 100 needs a hundred
# epochs for as many.
rng = np.random.RandomState(0)
X = rng.uniform(-3, 3, size=(10_000, 2))
y = np.sin(X[:, 0]) + X[:, 1] ** 2 / 6 + rng.normal(0, 0.1, 10_000)

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # short runs, on purpose
nets = {}
for batch_size, epochs in ((10, 10), (100, 100)):
    nets[batch_size] = SigmoidNetRegressor(
        (10,),
        solver="sgd",
        momentum=0,
        learning_rate=0.05,
        batch_size=batch_size,
        epochs=epochs,
        n_iter_no_change=epochs,
        early_stopping=False,  # train on all 10,000 rows, holding none out
        random_state=0,
    ).fit(X, y)
    net = nets[batch_size]
    print(
        f"B = {batch_size:>3}: {net.n_iter_} epochs × {math.ceil(10_000 / batch_size)} "
        f"= {net.n_updates_:,} updates (n_updates_), final loss {net.loss_:.4f}"
    )

# %%
# Per epoch and per update
# ------------------------
# Counted in epochs, the small batches are far ahead: each epoch makes ten
# times as many updates. Counted in updates, the two are much closer: what
# moves θ is the number of steps, and a larger batch makes each step's
# gradient less noisy but costs more to compute.
fig, (by_epoch, by_update) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for (batch_size, net), color in zip(nets.items(), ("tab:orange", "tab:blue")):
    name = f"B = {batch_size}"
    LossCurveDisplay.from_estimator(net, ax=by_epoch, name=name, train_kw={"color": color})
    LossCurveDisplay.from_estimator(
        net, x="update", ax=by_update, name=name, train_kw={"color": color}
    )
by_epoch.set_xscale("log")
by_epoch.set_title("loss against epochs (log scale)")
by_update.set_title("loss against updates")
fig.tight_layout()
plt.show()
