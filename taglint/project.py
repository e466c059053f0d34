"""Everything the check kinds see: the facts of all scanned files, the
configuration, and a cached tag classifier."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Iterator

from taglint.config import Config
from taglint.model import ActionRef, Command, FileFacts, ImageRef

if TYPE_CHECKING:
    from taglint.suppress import Suppression
    from taglint.tags import Classification, Vocabulary


@dataclass
class Project:
    files: list[FileFacts]
    config: Config
    suppressions: list[Suppression] = field(default_factory=list)  # for TL002
    active_codes: set[str] = field(default_factory=set)
    _classified: dict[str, Classification] = field(default_factory=dict, repr=False)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        from taglint.tags import Vocabulary

        return Vocabulary.default().extended(
            floating=self.config.floating_tags, variants=self.config.variant_suffixes
        )

    def classify(self, text: str) -> Classification:
        """The tag class of a reference value (cached per distinct text)."""
        found = self._classified.get(text)
        if found is None:
            from taglint.tags import classify_reference

            found = classify_reference(text, self.vocabulary)
            self._classified[text] = found
        return found

    def with_files(self, files: list[FileFacts]) -> Project:
        """The same configuration, vocabulary and classification cache over
        other files (the engine evaluates file-local rules one file at a
        time)."""
        other = Project(files, self.config, _classified=self._classified)
        other.__dict__["vocabulary"] = self.vocabulary
        return other

    # The facts are final once the project is built (resolvers run before),
    # so each list is gathered once however many rules walk it.
    @cached_property
    def _images(self) -> list[ImageRef]:
        return [ref for facts in self.files for ref in facts.images]

    @cached_property
    def _commands(self) -> list[Command]:
        return [command for facts in self.files for command in facts.commands]

    @cached_property
    def _actions(self) -> list[ActionRef]:
        return [action for facts in self.files for action in facts.actions]

    def images(self) -> Iterator[ImageRef]:
        return iter(self._images)

    def commands(self) -> Iterator[Command]:
        return iter(self._commands)

    def actions(self) -> Iterator[ActionRef]:
        return iter(self._actions)
