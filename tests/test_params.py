import json
import math

import pytest
import torch

from mtcsn_hw import Element, NeuronParams
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.presets import PRESET_NAMES


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_json_round_trip_of_every_preset(name, tmp_path):
    p = NeuronParams.preset(name)
    again = NeuronParams.from_json(p.to_json())
    assert again == p
    path = tmp_path / "p.json"
    p.save(path)
    assert NeuronParams.load(path).to_dict() == p.to_dict()


def test_design_json_format_is_read():
    text = ('{"c":1, "g":1, "e_rev":0, "i_app":-2, "elements":[{"name":"fast-", "alpha":-2, "delta":0, "tau":0},'
            '{"name":"slow+", "alpha":2, "delta":0, "tau":50}]}')
    p = NeuronParams.from_json(text)
    assert p.i_app == -2 and [e.name for e in p.elements] == ["fast-", "slow+"]
    assert p.element("slow+").tau == 50


def test_tensor_fields_carry_gradients():
    a = torch.tensor(-2.0, requires_grad=True)
    p = NeuronParams(elements=[Element("fast-", a, 0.0, 0.0)])
    assert p.elements[0].alpha.requires_grad
    assert json.loads(p.to_json())["elements"][0]["alpha"] == -2.0


def _with(**changes):
    d = NeuronParams.preset("bursting").to_dict()
    d.update(changes)
    return d


def _element_change(**changes):
    d = NeuronParams.preset("bursting").to_dict()
    d["elements"][1].update(changes)
    return d


@pytest.mark.parametrize("data, message", [
    (_with(c=0.0), "c must be > 0"),
    (_with(c=-1.0), "c must be > 0"),
    (_with(g=-0.1), "g must be >= 0"),
    (_with(i_app=math.inf), "finite"),
    (_element_change(tau=-1.0), "tau must be >= 0"),
    (_element_change(alpha=math.nan), "finite"),
    (_element_change(name="fast-"), "duplicate element name"),
    (_element_change(name=""), "non-empty"),
    (_element_change(name="x\n.control"), "not allowed"),
    (_element_change(name="a b"), "not allowed"),
    (_element_change(name="1abc"), "not allowed"),
    (_element_change(delta="0"), "expected a number"),
    (_with(extra=1), "unknown neuron parameter"),
    ({"elements": [{"name": "a", "alpha": 1}]}, "missing"),
    ([1, 2], "JSON object"),
])
def test_invalid_parameters_are_rejected_with_a_clear_message(data, message):
    with pytest.raises(ParameterError, match=message):
        NeuronParams.from_json(json.dumps(data))


@pytest.mark.parametrize("text, message", [
    ('{"c": 1,', "malformed JSON"),
    ('{"c": NaN}', "non-finite"),
    ('{"c": Infinity}', "non-finite"),
])
def test_malformed_json(text, message):
    with pytest.raises(ParameterError, match=message):
        NeuronParams.from_json(text)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ParameterError, match="tonic, phasic, bursting"):
        NeuronParams.preset("chaotic")


def test_missing_file(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        NeuronParams.load(tmp_path / "nope.json")


def test_with_element_copies():
    p = NeuronParams.preset("bursting")
    q = p.with_element("slow-", delta=-0.9)
    assert q.element("slow-").delta == -0.9 and p.element("slow-").delta == -1.5


def test_presets_are_fresh_copies_and_the_same_through_both_entry_points():
    from mtcsn_hw.model.presets import preset
    a = NeuronParams.preset("bursting")
    a.elements[0].alpha = 5.0
    b = NeuronParams.preset("bursting")
    assert b.element("fast-").alpha == -2.0 and b.element("ultraslow+").tau == 2500.0
    assert preset("phasic").to_dict() == NeuronParams.preset("phasic").to_dict()
