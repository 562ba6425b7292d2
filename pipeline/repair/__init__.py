"""Repair of damaged text: garbled numbers from machine translation, full-width digits, mojibake.

Rules live in :mod:`pipeline.repair.numbers` and :mod:`pipeline.repair.text`, are listed in
:mod:`pipeline.repair.registry` and are run by :class:`pipeline.repair.engine.Repairer`. Every
applied repair is a :class:`~pipeline.records.Fix` and every suspect left alone a
:class:`~pipeline.records.Flag`, both with offsets into the paragraph's original text.
"""
