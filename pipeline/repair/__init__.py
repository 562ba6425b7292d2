"""Repair of damaged text: garbled numbers from machine translation, full-width digits, mojibake.

Rules live in :mod:`pipeline.repair.markers`, :mod:`~pipeline.repair.kloc`,
:mod:`~pipeline.repair.split`, :mod:`~pipeline.repair.glued`, :mod:`~pipeline.repair.lists` and
:mod:`~pipeline.repair.text`, the marker guard in :mod:`~pipeline.repair.guard`; they are listed in
:mod:`pipeline.repair.registry` and are run by :class:`pipeline.repair.engine.Repairer`. Every
applied repair is a :class:`~pipeline.records.Fix` and every suspect left alone a
:class:`~pipeline.records.Flag`, both with offsets into the paragraph's original text.
"""
