# Turns views.sql into a C source file (meson custom_target): sql_views_text, as bytes
# (a string literal this long is beyond what C11 requires compilers to take).
import sys
data = open(sys.argv[1], 'rb').read()
data.decode('ascii')  # the views are ASCII
out = ['/* Generated from tools/export/sql/views.sql by embed.py; do not edit. */',
       '#include "sql_views.h"', '', 'const char sql_views_text[] = {']
for i in range(0, len(data), 16):
    out.append('    ' + ' '.join('%d,' % b for b in data[i:i + 16]))
out.append('    0};')
open(sys.argv[2], 'w', encoding='ascii').write('\n'.join(out) + '\n')
