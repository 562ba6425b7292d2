"""Page furniture: the site around an article (breadcrumbs, navigation, adverts, meta lines,
boilerplate), told from the article by clues in its text (:mod:`~pipeline.furniture.clues`), its
place in the article (:mod:`~pipeline.furniture.local`) and repetition on the pages of its site
(:mod:`~pipeline.furniture.site`), and set aside by :mod:`~pipeline.furniture.stage`.
"""
