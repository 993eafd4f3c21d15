"""
MAE or MSE: the loss under outliers
===================================

The loss ``L = (1/N) Σₙ eₙ`` averages one error per sample. The lecture gives
two choices for ``e``:

* the absolute error ``e = |y - ŷ|``, whose mean is the MAE
  (``loss="absolute_error"``);
* the squared error ``e = (y - ŷ)²``, whose mean is the MSE
  (``loss="squared_error"``; the package halves it, which moves no minimum).

A sample ten times farther off costs ten times more under the MAE but a
hundred times more under the MSE, so a few wild targets pull an MSE fit
towards themselves, while an MAE fit follows the bulk of the data (the
median, not the mean).
"""

# %%
# A sine curve with 10% of the targets thrown far upwards
# -------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_sigmoidnet import SigmoidNetRegressor

rng = np.random.RandomState(0)
x = np.sort(rng.uniform(-3, 3, 300))
y = np.sin(x) + rng.normal(0, 0.1, x.size)
outliers = rng.choice(x.size, 30, replace=False)
y[outliers] += rng.uniform(3, 6, outliers.size)
X = x.reshape(-1, 1)

# %%
# The same network, trained on either loss
# ----------------------------------------
fits = {}
for loss in ("squared_error", "absolute_error"):
    net = SigmoidNetRegressor(
        (10,), loss=loss, learning_rate=0.01, batch_size=32, epochs=500, random_state=0
    )
    fits[loss] = net.fit(X, y).predict(X)
    error = np.abs(fits[loss] - np.sin(x)).mean()
    print(f"{loss:>15}: mean distance from the clean curve sin(x) = {error:.3f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 1.6))
residual = np.linspace(-3, 3, 200)
left.plot(residual, np.abs(residual), label="absolute |y - ŷ|  (MAE)")
left.plot(residual, residual**2, label="squared (y - ŷ)²  (MSE)")
left.set_xlabel("residual y - ŷ")
left.set_ylabel("e, one sample's error")
left.set_title("An outlier costs far more when squared")
left.legend()

right.scatter(x, y, s=8, color="0.7", label="data (30 outliers above)")
right.plot(x, np.sin(x), color="tab:red", linestyle="--", label="clean curve sin(x)")
right.plot(x, fits["squared_error"], label='loss="squared_error" (MSE)')
right.plot(x, fits["absolute_error"], label='loss="absolute_error" (MAE)')
right.set_xlabel("x")
right.set_ylabel("y")
right.set_title("The MSE fit is pulled up, the MAE fit is not")
right.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %%
# ``loss="huber"`` lies in between: squared for residuals within 1 of the
# target, absolute beyond, so it is smooth near the fit and robust far away.
