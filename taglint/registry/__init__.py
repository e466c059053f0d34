"""Registry look-ups for ``--resolve`` (SPEC §7): what a tag points at now.

Nothing here is imported unless ``--resolve`` is given, so a plain scan
never touches the network.  The public API:

* :class:`RegistryOptions`, :class:`Pin`, :class:`RegistryError`
  (:mod:`taglint.registry.types`);
* :class:`Registry` (:mod:`taglint.registry.client`): ``digest``,
  ``manifest_exists``, ``tags``, ``pin``, ``pin_many``, ``close``;
* :func:`taglint.registry.git_refs.action_pin` for GitHub Action pins.

Module map: ``names`` (image -> registry host and repository),
``transport`` (HTTPS, timeouts, retries), ``auth`` (challenges, tokens),
``credentials`` (``~/.docker/config.json`` and credential helpers),
``cache`` (the on-disk cache), ``versions`` (which tags are candidates for
a pin), ``client`` (the :class:`Registry` that ties them together).
"""
from __future__ import annotations

from taglint.registry.types import Pin, RegistryError, RegistryOptions
from taglint.registry.client import Registry

__all__ = ["Pin", "Registry", "RegistryError", "RegistryOptions"]
