int tk_testlib_dummy;
