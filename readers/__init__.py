"""The input edge: files users hand us (CSV and Excel tables, calendar override tables) read into plain records.

The domain (:mod:`approval_model`) never opens a file here: it receives the records these functions return, so
the same checks serve whatever a record came from. Every problem with a file as a whole is an error that names
the file and the fix; problems in single cells are the domain's to report (it knows what a cell should hold).
"""
