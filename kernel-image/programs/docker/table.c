/* Go's text/tabwriter as Docker's formatter configures it: minwidth 10,
 * tabwidth 1, padding 3, padded with spaces. Every cell but a line's last is
 * terminated by a tab and aligned; a column is as wide as its widest cell
 * plus the padding, never narrower than the minimum. Column blocks follow
 * tabwriter: a column's width is shared by consecutive lines that have it. */
#include <stdlib.h>
#include <string.h>

#include "docker.h"

#define MINWIDTH 10
#define PADDING 3

void table_row_v(struct table *t, char **cells, int n) {
  if (t->nrows == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->rows = xrealloc(t->rows, sizeof *t->rows * (size_t)t->cap);
    t->ncells = xrealloc(t->ncells, sizeof *t->ncells * (size_t)t->cap);
  }
  t->rows[t->nrows] = cells;
  t->ncells[t->nrows++] = n;
}

void table_row(struct table *t, int n, ...) {
  va_list ap;
  char **cells = xmalloc(sizeof *cells * (size_t)n);
  va_start(ap, n);
  for (int i = 0; i < n; i++) cells[i] = xstrdup(va_arg(ap, const char *));
  va_end(ap);
  table_row_v(t, cells, n);
}

void table_row_tabs(struct table *t, const char *line) {
  int n = 1;
  for (const char *p = line; *p; p++) n += *p == '\t';
  char **cells = xmalloc(sizeof *cells * (size_t)n);
  const char *start = line;
  for (int i = 0; i < n; i++) {
    const char *tab = strchr(start, '\t');
    size_t len = tab ? (size_t)(tab - start) : strlen(start);
    cells[i] = xmalloc(len + 1);
    memcpy(cells[i], start, len);
    cells[i][len] = 0;
    start = tab ? tab + 1 : start + len;
  }
  table_row_v(t, cells, n);
}

/* Column col's width for the block of lines around row r that have the column. */
static int col_width(struct table *t, int r, int col, int *end) {
  int w = t->minwidth ? t->minwidth : MINWIDTH, i = r;
  for (; i < t->nrows && t->ncells[i] - 1 > col; i++) {
    int cw = display_width(t->rows[i][col]) + PADDING;
    if (cw > w) w = cw;
  }
  *end = i;
  return w;
}

void table_print(struct table *t, FILE *f) {
  int maxcols = 0;
  for (int r = 0; r < t->nrows; r++)
    if (t->ncells[r] > maxcols) maxcols = t->ncells[r];
  /* widths[r][c] for each aligned cell */
  int *widths = xmalloc(sizeof(int) * (size_t)(t->nrows * (maxcols ? maxcols : 1) + 1));
  for (int c = 0; c < maxcols; c++) {
    for (int r = 0; r < t->nrows;) {
      if (t->ncells[r] - 1 <= c) {
        r++;
        continue;
      }
      int end, w = col_width(t, r, c, &end);
      for (; r < end; r++) widths[r * maxcols + c] = w;
    }
  }
  for (int r = 0; r < t->nrows; r++) {
    for (int c = 0; c < t->ncells[r]; c++) {
      fputs(t->rows[r][c], f);
      if (c < t->ncells[r] - 1)
        for (int k = display_width(t->rows[r][c]); k < widths[r * maxcols + c]; k++) fputc(' ', f);
    }
    fputc('\n', f);
    for (int c = 0; c < t->ncells[r]; c++) free(t->rows[r][c]);
    free(t->rows[r]);
  }
  free(widths);
  free(t->rows);
  free(t->ncells);
  memset(t, 0, sizeof *t);
}
