/* The views of the SQL formats (tools/export/sql/views.sql, built into the program). */
#ifndef DNSFW_TOOLS_SQL_VIEWS_H
#define DNSFW_TOOLS_SQL_VIEWS_H

extern const char sql_views_text[];

#endif
