"""Ways to run the pipeline over many inputs: a batch of workbooks, a Dask dataset."""
