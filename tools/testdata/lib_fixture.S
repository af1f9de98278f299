# One function: the body of the tiny shared objects the tool's unit tests
# resolve (tools/CMakeLists.txt links them with DT_NEEDED, RUNPATH and RPATH).
    .text
    .globl elfin_fixture
elfin_fixture:
    ret
