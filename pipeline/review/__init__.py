"""Editors' review: decisions that stick (:mod:`.decisions`, :mod:`.apply`), the HTML report
(:mod:`.model`, :mod:`.html`) and the terminal view (:mod:`.terminal`)."""
