/* _normalize: the character loops of the normalize stage, compiled.
 *
 * engine/normalize.py maps every character of a document through a table indexed by code
 * point (the view) and counts traditional-only characters among the CJK ones (the script).
 * With numpy each is a UTF-32 encode, a gather over the whole text and a decode: ~30 M
 * instructions per MB for the script alone. Here each is one pass over the str. The numpy
 * code stays the reference; tests/test_normalize_core.py compares the two.
 *
 *   translate(text, table) -> str      table: a buffer of uint32, one per code point (0x110000)
 *   identity() -> bytes                the table that leaves every character as it is
 *   script_counts(text, mask) -> (traditional, cjk)
 *       mask: a buffer of one byte per code point, non-zero for traditional-only ones;
 *       cjk: the characters in U+4E00..U+9FFF
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define CODE_POINTS 0x110000

/* the buffer of obj, checked to hold one item of `width` bytes per code point */
static int table_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t width, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->len != CODE_POINTS * width) {
        PyErr_Format(PyExc_ValueError, "%s must hold %d items of %zd bytes", what, CODE_POINTS, width);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *translate(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *text, *table_obj;
    if (!PyArg_ParseTuple(args, "UO:translate", &text, &table_obj)) return NULL;
    Py_buffer table;
    if (table_buffer(table_obj, &table, 4, "table") < 0) return NULL;
    const uint32_t *map = table.buf;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* the widest character of the result decides its storage: found in a first pass */
    Py_UCS4 widest = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = map[PyUnicode_READ(kind, data, i)];
        if (c > widest) widest = c;
    }
    if (widest >= CODE_POINTS) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "table maps a character beyond U+10FFFF");
        return NULL;
    }
    PyObject *out = PyUnicode_New(n, widest);
    if (!out) { PyBuffer_Release(&table); return NULL; }
    int out_kind = PyUnicode_KIND(out);
    void *out_data = PyUnicode_DATA(out);
    for (Py_ssize_t i = 0; i < n; i++)
        PyUnicode_WRITE(out_kind, out_data, i, map[PyUnicode_READ(kind, data, i)]);
    PyBuffer_Release(&table);
    return out;
}

static PyObject *script_counts(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *text, *mask_obj;
    if (!PyArg_ParseTuple(args, "UO:script_counts", &text, &mask_obj)) return NULL;
    Py_buffer mask;
    if (table_buffer(mask_obj, &mask, 1, "mask") < 0) return NULL;
    const uint8_t *traditional = mask.buf;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), hits = 0, cjk = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        hits += traditional[c] != 0;
        cjk += c >= 0x4E00 && c < 0xA000;
    }
    PyBuffer_Release(&mask);
    return Py_BuildValue("(nn)", hits, cjk);
}

/* identity() -> bytes: the uint32 code points 0 .. U+10FFFF in native order, the table that maps every
 * character to itself (normalize._code_tables starts from it: a loop over range() in Python costs ~20 ms) */
static PyObject *identity(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)CODE_POINTS * 4);
    if (!out) return NULL;
    uint32_t *v = (uint32_t *)PyBytes_AS_STRING(out);
    for (uint32_t c = 0; c < CODE_POINTS; c++) v[c] = c;
    return out;
}

static PyMethodDef module_methods[] = {
    {"identity", identity, METH_NOARGS, "identity() -> the uint32 code points 0..U+10FFFF as bytes (native order)"},
    {"translate", translate, METH_VARARGS, "translate(text, table) -> each character mapped through table"},
    {"script_counts", script_counts, METH_VARARGS,
     "script_counts(text, mask) -> (characters flagged in mask, characters in U+4E00..U+9FFF)"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "engine._normalize", "the character loops of the normalize stage (see engine/core.py)",
    -1, module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__normalize(void) { return PyModule_Create(&module_def); }
