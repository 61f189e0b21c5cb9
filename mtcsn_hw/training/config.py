"""Training configuration, and the hyperparameter budget shared by all three models.

Budget (the same for MTCSN, LIF and AdLIF): one hidden layer of `n_hidden` neurons, no recurrence (except
the recurrent MTCSN trials); `iterations` Adam steps (lr with cosine decay to lr/10, gradient-norm clip) on
batches of `batch` windows of `window` steps (loss: MSE after `washout` steps); one linear readout and the
same output low-pass `out_tau`. Model-specific settings (`layer`, DEFAULT_LAYER) were fixed with a handful of
150-iteration trial runs per model: for MTCSN the template, threshold and input scale; for LIF and
AdLIF the input scale (the published neuron defaults otherwise). docs/mackey-glass.md lists them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from mtcsn_hw.errors import CheckpointError, ParameterError
from mtcsn_hw.tasks.forecasting import PROTOCOLS
from mtcsn_hw.training.network import MODELS

# Model-specific hidden-layer settings (keyword arguments of the layer class).
DEFAULT_LAYER = {
    # tonic elements, biased to a deep stable rest (i_app = -2): silent unless the input drives it; output stage
    # v_th 2, v_sat 3, 96 neurons (DEFAULT_HIDDEN). Picked on the accuracy-activity fronts (docs/mackey-glass.md;
    # their trials start from i_app = -1): the sparsest point more accurate than LIF on validation.
    "mtcsn": {"template": {"c": 1.0, "g": 1.0, "e_rev": 0.0, "i_app": -2.0,
                           "elements": [{"name": "fast-", "alpha": -2.0, "delta": 0.0, "tau": 0.0},
                                        {"name": "slow+", "alpha": 2.0, "delta": 0.0, "tau": 50.0}]},
              # 32 substeps of 1/32 per sample: near the continuous-time limit the circuit computes
              "dt": 1.0 / 32, "substeps": 32, "v_th": 2.0, "v_sat": 3.0, "input_scale": 1.0},
    "lif": {"input_scale": 1.0},
    "adlif": {"input_scale": 10.0},
}

# The hidden size of each shipped model: LIF and SE-adLIF at their 48, the MTCSN at the fronts' pick.
DEFAULT_HIDDEN = {"mtcsn": 96, "lif": 48, "adlif": 48}

# The activity regulariser's weight of each shipped model: the MTCSN's is the fronts' pick at the fidelity it
# ships at (32 substeps a sample), where it holds the events at the one-step front's level.
DEFAULT_ACTIVITY_REG = {"mtcsn": 2.0, "lif": 0.0, "adlif": 0.0}


@dataclass
class TrainConfig:
    model: str = "mtcsn"
    task: str = "mackey-glass"
    protocol: str = "direct"
    horizon: int = 75
    seed: int = 0
    n_hidden: int | None = None  # None: DEFAULT_HIDDEN[model]
    iterations: int = 200
    batch: int = 16
    window: int = 300
    washout: int = 50
    lr: float = 5e-3
    grad_clip: float = 1.0
    out_tau: float = 3.0
    input_noise: float = 0.0     # std of Gaussian noise added to training inputs (normalised units)
    noise_anneal: bool = False   # input_noise falls along a cosine to 0 at the last step (a sharper map at the end)
    weight_average: float = 0.0  # end on the mean parameters of this last fraction of the steps (0: the last step's)
    weight_decay: float = 0.0    # decoupled (AdamW) decay of the synaptic weights only: input, recurrent, readout
    activity_reg: float | None = None  # weight of mean(hidden output) in the loss (0: off; None: the model's)
    closed_loop: int = 0         # autoregressive: last steps of each window fed their own predictions
    closed_loop_min: int | None = None  # each step draws its closed_loop length from [this, closed_loop] (None: fixed)
    feedback_noise: float = 0.0  # std of Gaussian noise on the fed-back predictions of the closed loop
    val_fraction: float = 0.0    # last part of the train part held out for model selection (0: none)
    residual: bool | None = None  # None: True for the autoregressive protocol (predict x(n+1) - x(n))
    train_lyap: float = 10.0
    test_lyap: float = 10.0
    start_offset: int = 0        # the series starts this many samples later (NeuroBench's repeats shift it)
    steps_per_tau: int = 1700
    input_lags: list[int] | None = None  # the hidden layer also reads the input this many steps back (delay line)
    layer: dict | None = None   # None: DEFAULT_LAYER[model]; a dict overrides single keys
    robust: dict | None = None  # mismatch-aware retraining: spec, scale, seed, spreads, source (retraining/)

    def __post_init__(self):
        if self.residual is None:
            self.residual = self.protocol == "autoregressive"
        if self.model in DEFAULT_LAYER:
            self.layer = {**DEFAULT_LAYER[self.model], **(self.layer or {})}
        if self.n_hidden is None:
            self.n_hidden = DEFAULT_HIDDEN.get(self.model, 48)
        if self.activity_reg is None:
            self.activity_reg = DEFAULT_ACTIVITY_REG.get(self.model, 0.0)

    def validate(self) -> TrainConfig:
        if self.model not in MODELS:
            raise ParameterError(f"unknown model {self.model!r}; choose one of {', '.join(MODELS)}")
        if self.task != "mackey-glass":
            raise ParameterError(f"unknown task {self.task!r}; only 'mackey-glass' is available")
        if self.protocol not in PROTOCOLS:
            raise ParameterError(f"unknown protocol {self.protocol!r}; choose one of {', '.join(PROTOCOLS)}")
        for key in ("horizon", "n_hidden", "iterations", "batch", "window"):
            if int(getattr(self, key)) < 1:
                raise ParameterError(f"{key} must be >= 1, got {getattr(self, key)}")
        if not (type(self.start_offset) is int and self.start_offset >= 0):
            raise ParameterError(f"start_offset must be a whole number of samples >= 0, got {self.start_offset!r}")
        if not 0 <= self.washout < self.window:
            raise ParameterError(f"washout must be in [0, window), got {self.washout}")
        if not self.lr > 0:
            raise ParameterError(f"lr must be > 0, got {self.lr}")
        self._validate_closed_loop()
        self._validate_selection_and_inputs()
        return self

    def _validate_closed_loop(self) -> None:
        if not 0 <= self.closed_loop < self.window - self.washout:
            raise ParameterError(f"closed_loop must be in [0, window - washout), got {self.closed_loop}")
        if self.closed_loop and self.protocol != "autoregressive":
            raise ParameterError("closed_loop training needs the autoregressive protocol")
        low = self.closed_loop_min
        if low is not None and not (type(low) is int and 0 <= low <= self.closed_loop and self.closed_loop > 0):
            raise ParameterError(f"closed_loop_min must be a whole number of steps in [0, closed_loop] with "
                                 f"closed_loop > 0, got {low!r}")
        if not 0 <= self.feedback_noise < float("inf"):  # also refuses NaN
            raise ParameterError(f"feedback_noise must be a finite number >= 0, got {self.feedback_noise}")
        if self.feedback_noise and not self.closed_loop:
            raise ParameterError("feedback_noise needs closed_loop training (closed_loop > 0)")

    def _validate_selection_and_inputs(self) -> None:
        if self.robust is not None and not isinstance(self.robust, dict):
            raise ParameterError("robust must be a JSON object (the retraining settings) or null")
        if not 0 <= self.activity_reg < float("inf"):  # also refuses NaN
            raise ParameterError(f"activity_reg must be a finite number >= 0, got {self.activity_reg}")
        if not 0 <= self.weight_average <= 1:  # also refuses NaN
            raise ParameterError(f"weight_average must be a fraction of the steps in [0, 1], got {self.weight_average}")
        if not 0 <= self.input_noise < float("inf"):  # also refuses NaN
            raise ParameterError(f"input_noise must be a finite number >= 0, got {self.input_noise}")
        if type(self.noise_anneal) is not bool or (self.noise_anneal and not self.input_noise):
            raise ParameterError(f"noise_anneal must be true or false, and true only with input_noise > 0, "
                                 f"got {self.noise_anneal!r}")
        if not 0 <= self.weight_decay < float("inf"):  # also refuses NaN
            raise ParameterError(f"weight_decay must be >= 0, got {self.weight_decay}")
        if not 0 <= self.val_fraction < 1:
            raise ParameterError(f"val_fraction must be in [0, 1), got {self.val_fraction}")
        lags = self.input_lags or []
        if not (isinstance(lags, list) and all(type(k) is int and 0 < k < self.window for k in lags)
                and len(set(lags)) == len(lags)):
            raise ParameterError(f"input_lags must be distinct whole numbers of steps in [1, window), "
                                 f"got {self.input_lags!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data) -> TrainConfig:
        if not isinstance(data, dict):
            raise CheckpointError("config.json must hold a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise CheckpointError(f"config.json has unknown field(s): {sorted(unknown)}")
        return cls(**data).validate()
