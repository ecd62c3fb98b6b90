/* The pieces of the HTML report (report_html.c) that the renderers of its
 * other sections (report_tp_html.c) draw with, so every chart has the same
 * frame, axes, number formats and accessible tables. Private to
 * src/report/. */
#ifndef PROLO_REPORT_HTML_H
#define PROLO_REPORT_HTML_H

#include "core/buf.h"

/* A chart's frame: W x H pixels, plot area from (ML, MT) to (W-MR, H-MB). */
#define REPORT_HTML_W 720
#define REPORT_HTML_H 340
#define REPORT_HTML_ML 56
#define REPORT_HTML_MR 130
#define REPORT_HTML_MT 16
#define REPORT_HTML_MB 44

/* "62.5%" or "NA". */
void report_html_pct(struct buf_out *o, double r);
/* A named region that scrolls sideways (keyboard reachable); closing a
 * table closes its region too. */
void report_html_scroll_open(struct buf_out *o, const char *label);
void report_html_table_close(struct buf_out *o);
/* <td> with a rate and its interval. */
void report_html_td_pct_ci(struct buf_out *o, double r, double lo, double hi);
/* A chart under its heading (title), in a region named label that
 * scrolls, then its caption and text alternative (text). */
struct report_results;
typedef void report_html_section_fn(struct buf_out *o, const struct report_results *res);
void report_html_figure(struct buf_out *o, const struct report_results *res, const char *title, const char *label,
                        report_html_section_fn *chart, const char *caption, report_html_section_fn *text);
/* A chart's numbers as a table in a <details>; head: the header cells. */
void report_html_data_open(struct buf_out *o, const char *label, const char *head);
void report_html_data_close(struct buf_out *o);
/* Axes of a chart whose x runs 0..x1 (no ticks: the caller labels it) and
 * y is a share 0..1 in quarters. */
void report_html_axes_share(struct buf_out *o, double x1, const char *xlabel, const char *ylabel);
/* Pixel position of x in 0..x1 and of a share y in 0..1. */
double report_html_x(double x, double x1);
double report_html_y(double y);

#endif
