# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The core every renderer shares: option declarations, their one check, and the one error shape.

Each format declares its options once, as data, in ``OPTIONS``: a mapping of option name to an Ansible argument
spec entry (``type``, ``default``, ``choices``) plus a ``description`` for the render filter's documentation.
``null: true`` keeps an explicit ``None`` (a documented "leave out") instead of falling back to the default.

Values are checked by value, never by Python type identity: ansible-core 2.21 hands options that come from
variables or loop items over as tagged strings (``str`` subclasses), and ``-e`` variables arrive as text, so
``'false'`` is a boolean and ``'3600'`` an integer wherever the declaration says so. The conversion is the one
ansible-core's ``ArgumentSpecValidator`` applies for the declared type (its type checkers); the declarations are
valid argument specs, which a unit test proves by validating them with ``ArgumentSpecValidator`` itself.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.common.parameters import DEFAULT_TYPE_VALIDATORS

__all__ = ("RenderError", "argument_spec", "check_options", "option_doc")

# Keys of an option declaration that are documentation or render-specific, not argument spec keys.
_DOC_KEYS = ("description", "null")
_TYPE_WORDS = {
    "str": "a string",
    "bool": "a boolean; valid values: true, false (or yes/no, on/off, 1/0)",
    "int": "an integer",
    "list": "a list",
    "dict": "a mapping",
}


class RenderError(ValueError):
    """A renderer refused its input: ``netallow.apple.render(<format>): <what> <value>: <why>``.

    Subclasses set ``format``; a shared renderer (the network gear) passes it per error.
    """

    format = "render"

    def __init__(self, message: str, format: t.Optional[str] = None) -> None:
        if format is not None:
            self.format = format
        self.detail = message
        super().__init__(f"netallow.apple.render({self.format}): {message}")


def argument_spec(options: t.Mapping[str, t.Mapping[str, t.Any]]) -> dict:
    """The declarations as an ansible-core argument spec (without the documentation keys)."""
    return {name: {key: value for key, value in spec.items() if key not in _DOC_KEYS} for name, spec in options.items()}


def _convert(name: str, value: t.Any, spec: t.Mapping[str, t.Any], error: type) -> t.Any:
    kind = spec.get("type", "raw")
    if kind == "str":
        # Any string-like value (a tagged string too); a number or a list is not silently made text.
        if not isinstance(value, str):
            raise error(f"option {name} {value!r}: not {_TYPE_WORDS['str']}")
        return value
    if kind == "raw":
        return value
    if kind == "int" and isinstance(value, bool):
        # True is an int to Python, never a count or a port here.
        raise error(f"option {name} {value!r}: not {_TYPE_WORDS['int']}")
    try:
        value = DEFAULT_TYPE_VALIDATORS[kind](value)
    except (TypeError, ValueError):
        raise error(f"option {name} {value!r}: not {_TYPE_WORDS.get(kind, kind)}") from None
    if kind == "list" and "elements" in spec:
        value = [_convert(f"{name} entry", item, {"type": spec["elements"]}, error) for item in value]
    return value


def check_options(
    options: t.Mapping[str, t.Any], declared: t.Mapping[str, t.Mapping[str, t.Any]], error: type
) -> dict:
    """Every declared option with its value converted by declared type, checked against its choices, or its default.

    Unknown options, values of the wrong type and values outside the choices raise ``error`` (a RenderError
    subclass) naming the option, the value and the valid options or choices. A choice comes back as the declared
    (plain) value, so tagged strings do not travel further into the output.
    """
    unknown = sorted(str(name) for name in options if name not in declared)
    if unknown:
        raise error(f"option(s) {', '.join(unknown)}: unknown; valid options: {', '.join(declared)}")
    result = {}
    for name, spec in declared.items():
        value = options.get(name)
        if value is None:
            result[name] = None if spec.get("null") and name in options else spec.get("default")
            continue
        value = _convert(name, value, spec, error)
        choices = spec.get("choices")
        if choices is not None:
            matches = [choice for choice in choices if choice == value and isinstance(choice, bool) == isinstance(
                value, bool)]
            if not matches:
                raise error(
                    f"option {name} {value!r}: not a valid choice; valid choices: {', '.join(map(str, choices))}")
            value = matches[0]
        elif isinstance(value, str):
            value = str.__str__(value)
        result[name] = value
    return result


def _literal(value: t.Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def option_doc(format: str, name: str, spec: t.Mapping[str, t.Any]) -> str:
    """One line of the render filter's documentation for a declared option (the docs are generated from this)."""
    facts = [spec.get("type", "raw")]
    if spec.get("choices") is not None:
        facts.append("choices " + ", ".join(f"V({_literal(choice)})" for choice in spec["choices"]))
    if spec.get("default") is not None:
        facts.append(f"default V({_literal(spec['default'])})")
    return f"C({format}) option C({name}) ({'; '.join(facts)}): {spec['description']}"
