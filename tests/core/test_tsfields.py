import datetime as dt

import numpy as np

from minesar.algorithms.tsfields import date_field_name, date_fields, series_from_attributes


def test_date_fields_sorted_and_filtered():
    names = ["CODE", "D20210312", "VEL", "D20201031", "D20201399", "DX", "d20220822"]
    got = date_fields(names)
    assert [n for n, _ in got] == ["D20201031", "D20210312", "d20220822"]
    assert got[0][1] == dt.date(2020, 10, 31)
    assert date_field_name(dt.date(2021, 3, 12)) == "D20210312"


def test_series_from_attributes_nulls_become_nan():
    dates, vals = series_from_attributes(["D20201112", "CODE", "D20201031"], [-1.5, "A1", None])
    assert dates == [dt.date(2020, 10, 31), dt.date(2020, 11, 12)]
    assert np.isnan(vals[0]) and vals[1] == -1.5
