"""MineSAR Processing provider: one QgsProcessingAlgorithm per stage.

Each stage lives in a module ``alg_<stage>.py`` that defines subclasses of
:class:`~.base.MineSARAlgorithm`; the provider discovers them, so adding a
stage never touches a shared file.
"""
