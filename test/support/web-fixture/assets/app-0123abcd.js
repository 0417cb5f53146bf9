document.title = 'fixture app';
