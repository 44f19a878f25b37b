// Flask-Admin's form widgets in Indonesian: the date pickers (moment + daterangepicker) and
// the Select2 boxes. Loaded right after daterangepicker.js (admin_views/csp.py puts it there),
// before Flask-Admin's form.js builds any widget.
(function ($, moment) {
  moment.locale('id', {
    months: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
             'September', 'Oktober', 'November', 'Desember'],
    monthsShort: ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agt', 'Sep', 'Okt',
                  'Nov', 'Des'],
    weekdays: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
    weekdaysShort: ['Min', 'Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab'],
    weekdaysMin: ['Mg', 'Sn', 'Sl', 'Rb', 'Km', 'Jm', 'Sb'],
    week: {dow: 1, doy: 7}
  });
  moment.locale('id');

  var labels = {applyLabel: 'Terapkan', cancelLabel: 'Batal', fromLabel: 'Dari',
                toLabel: 'Sampai', weekLabel: 'Mg', customRangeLabel: 'Rentang lain',
                daysOfWeek: moment.weekdaysMin(), monthNames: moment.monthsShort(),
                firstDay: 1};
  var daterangepicker = $.fn.daterangepicker;
  if (daterangepicker) {
    $.fn.daterangepicker = function (options, callback) {
      options = $.extend({}, options, {locale: $.extend({}, labels, (options || {}).locale)});
      return daterangepicker.call(this, options, callback);
    };
  }

  if ($.fn.select2) {
    $.extend($.fn.select2.defaults, {
      formatNoMatches: function () { return 'Tidak ada yang cocok'; },
      formatInputTooShort: function (input, min) {
        return 'Ketik ' + (min - input.length) + ' karakter lagi';
      },
      formatInputTooLong: function (input, max) {
        return 'Hapus ' + (input.length - max) + ' karakter';
      },
      formatSelectionTooBig: function (limit) { return 'Paling banyak ' + limit + ' pilihan'; },
      formatLoadMore: function () { return 'Memuat lagi…'; },
      formatSearching: function () { return 'Mencari…'; }
    });
  }
})(jQuery, moment);
