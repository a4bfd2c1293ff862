"""The PDP Stroop family: Cohen, Dunbar & McClelland (1990) and Cohen & Huston (1994).

``cohen1990`` and ``cohen_huston1994`` are the models; ``base`` their shared protocol
layer, ``weights`` the published Fig. 3 weights, ``training`` back-propagation of those
weights, ``stimuli`` the encoding of trial rows into input units, ``fit`` the mapping of
cycles to ms. Importing this package imports none of them.
"""
